"""Semi-automatic coding: which answers are confident enough to skip a person.

An answer's confidence is the product over its modelled themes of the probability that each
decision is right (p when assigned, 1 - p when not). Out of fold, answers are sorted by
confidence; for a target precision P the model codes automatically the most inclusive
most-confident share whose exact-set accuracy has a one-sided 95% Clopper-Pearson lower bound
of at least P. The bound is what keeps the promise out of sample: with the point estimate the
held-out accuracy at target 0.9 on SemEval was 88.9% and broke in 2 of 5 folds; with the bound
92.1% (bench/README-quality.md). A target needs at least `min_count(P)` answers all right
(0.8: 14, 0.9: 29, 0.95: 59) before anything can be promised.
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


LEVEL = 0.95


def min_count(target: float, level: float = LEVEL) -> int:
    """Fewest answers whose Clopper-Pearson lower bound can reach `target` (all of them right)."""
    import math

    alpha = 1 - level
    # k right of k gives the lower bound alpha ** (1 / k).
    k = max(1, math.ceil(math.log(alpha) / math.log(target)))
    while k > 1 and alpha ** (1 / (k - 1)) >= target:
        k -= 1
    while alpha ** (1 / k) < target:
        k += 1
    return k


def clopper_pearson_lower(right, k, level: float = LEVEL):
    """One-sided Clopper-Pearson lower bound of a proportion: right of k at confidence `level`."""
    import numpy as np
    from scipy.stats import beta

    right, k = np.asarray(right, dtype=float), np.asarray(k, dtype=float)
    with np.errstate(invalid="ignore"):
        bound = beta.ppf(1 - level, right, k - right + 1)
    return np.where(right <= 0, 0.0, bound)


def review_cutoff(curve: dict, target: float, level: float = LEVEL) -> float:
    """The lowest confidence at which the answers coded automatically are still right often enough.

    Of all cut-offs on the out-of-fold curve, the most inclusive one whose exact-set accuracy has a
    Clopper-Pearson lower bound (at `level`) of at least `target`. With none, every answer goes to
    a person.
    """
    import numpy as np

    if len(curve["n"]) == 0:
        return float("inf")
    ok = np.flatnonzero(clopper_pearson_lower(curve["correct"], curve["n"], level) >= target)
    return float(curve["confidence"][ok[-1]]) if len(ok) else float("inf")


def promise(curve: dict, targets=(0.8, 0.9, 0.95), level: float = LEVEL) -> list[dict]:
    """What a model can promise per target, from its out-of-fold curve: share auto-coded, accuracy, bound."""
    import numpy as np

    total = float(curve["n"][-1]) if len(curve["n"]) else 0.0
    rows = []
    for target in targets:
        cut = review_cutoff(curve, target, level)
        at = np.flatnonzero(np.asarray(curve["confidence"]) >= cut)
        n = float(curve["n"][at[-1]]) if len(at) else 0.0
        right = float(curve["correct"][at[-1]]) if len(at) else 0.0
        rows.append({"target": target, "share_auto": n / total if total else 0.0, "n_auto": int(n),
                     "accuracy": right / n if n else float("nan"),
                     "accuracy_lower_bound": float(clopper_pearson_lower(right, n, level)) if n else 0.0,
                     "too_few": total < min_count(target, level)})
    return rows
