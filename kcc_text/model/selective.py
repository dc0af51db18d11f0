"""Semi-automatic coding: which answers are confident enough to skip a person.

An answer's confidence is the product over its modelled themes of the probability that each
decision is right (p when assigned, 1 - p when not). Out of fold, answers are sorted by
confidence; for a target precision P the model codes automatically the largest most-confident
share whose measured exact-set accuracy is still >= P (Wilson lower bound at z, so that a
handful of lucky answers does not set the cut-off).
"""

from __future__ import annotations


def decision_confidence(P, decided, applies, learnable_mask):
    """log of the product over modelled themes of P(decision right)."""
    import numpy as np

    right = np.where(decided, P, 1.0 - P)
    right = np.clip(right, 1e-6, 1.0)
    use = applies & learnable_mask[None, :]
    return np.where(use, np.log(right), 0.0).sum(axis=1)


def selective_curve(confidence, exact) -> dict:
    """Out-of-fold accuracy of "code automatically every answer at least this confident", per cut-off.

    Arrays in order of falling confidence, one entry per distinct confidence: the cut-off, how
    many answers reach it and how many of those had exactly the right theme set.
    """
    import numpy as np

    order = np.argsort(-np.asarray(confidence), kind="stable")
    conf = np.asarray(confidence, dtype=float)[order]
    correct = np.cumsum(np.asarray(exact, dtype=float)[order])
    last_of_tie = np.flatnonzero(np.append(conf[1:] != conf[:-1], True)) if len(conf) else np.zeros(0, int)
    return {"confidence": conf[last_of_tie], "n": (last_of_tie + 1).astype(float), "correct": correct[last_of_tie]}


def wilson_lower(correct, n, z: float):
    """Lower end of the Wilson score interval for a proportion (z = 0 gives the proportion itself)."""
    import numpy as np

    n = np.asarray(n, dtype=float)
    p = np.asarray(correct, dtype=float) / np.maximum(n, 1)
    if z == 0:
        return p
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (centre - spread) / (1 + z2 / n)


def review_cutoff(curve: dict, target: float, z: float) -> float:
    """The lowest confidence at which the answers coded automatically are still right often enough.

    Of all cut-offs, take the most inclusive one whose out-of-fold exact-set accuracy (its Wilson
    lower bound at `z`) is at least `target`. With no such cut-off, every answer goes to a person.
    """
    import numpy as np

    if len(curve["n"]) == 0:
        return float("inf")
    ok = np.flatnonzero(wilson_lower(curve["correct"], curve["n"], z) >= target)
    return float(curve["confidence"][ok[-1]]) if len(ok) else float("inf")
