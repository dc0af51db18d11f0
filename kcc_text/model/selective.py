"""Selective coding: which answers are coded automatically at a target precision, with a promise that holds.

Measured in bench/README-quality.md (bench/bench_quality.py, nested cross-validation): the cut-off is
the most inclusive confidence whose out-of-fold answers above it are exactly right with a one-sided
95% Clopper-Pearson lower bound of at least the target. The bound is what keeps the promise out of
sample: with the point estimate ("accuracy above the cut-off >= target") the pooled held-out
accuracy on SemEval at target 0.9 was 88.9% and the promise broke in 2 of 5 folds; with the bound
it was 92.1%, broken in 1 of 4 folds (bench/README-quality.md).

Confidence of an answer: log of the product over its themes of the probability that each decision
is right (p when assigned, 1 - p when not), from calibrated probabilities. Where a second,
independent view of the answer exists (the sentence-embedding model alone), an answer on which the
two views disagree about the theme set is never coded automatically: on answers from another writer
(bench/holdout) this gate was what kept auto-coded accuracy above the target (94% against 86% without).
"""

from __future__ import annotations

LEVEL = 0.95


def answer_confidence(P, decided, applies):
    """log P(theme set right) per answer, themes taken as independent; (n, themes) arrays in."""
    import numpy as np

    right = np.clip(np.where(decided, P, 1.0 - P), 1e-9, 1.0)
    return np.where(applies, np.log(right), 0.0).sum(axis=1)


def clopper_pearson_lower(correct, n, level: float = LEVEL):
    """One-sided lower confidence bound (exact binomial, Clopper-Pearson) for the accuracy correct / n."""
    import numpy as np
    from scipy.stats import beta

    k = np.asarray(correct, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore"):
        bound = beta.ppf(1.0 - level, k, n - k + 1.0)
    return np.where(k > 0, np.nan_to_num(bound, nan=0.0), 0.0)


def min_answers_for(target: float, level: float = LEVEL) -> int:
    """The fewest out-of-fold answers, all right, whose lower bound reaches `target` (0.9: 29, 0.95: 59)."""
    import math

    return math.ceil(math.log(1.0 - level) / math.log(target))


def review_cutoff(confidence, correct, target: float, level: float = LEVEL) -> float:
    """The lowest confidence at which answers are coded automatically (inf: none can be promised).

    `confidence` and `correct` (theme set exactly right) are out-of-fold, one entry per answer. Of
    all cut-offs (never splitting answers of equal confidence), the most inclusive one whose
    accepted answers have a Clopper-Pearson lower bound >= target.
    """
    import numpy as np

    conf = np.asarray(confidence, dtype=float)
    if conf.size == 0:
        return float("inf")
    order = np.argsort(-conf, kind="stable")
    c = conf[order]
    k = np.cumsum(np.asarray(correct, dtype=float)[order])
    last = np.flatnonzero(np.append(c[1:] != c[:-1], True))
    ok = np.flatnonzero(clopper_pearson_lower(k[last], last + 1.0, level) >= target)
    return float(c[last[ok[-1]]]) if len(ok) else float("inf")


def auto_coded(confidence, cutoff: float, *, agree=None, empty=None):
    """Boolean per answer: coded automatically (at or above the cut-off, views agreeing, or empty)."""
    import numpy as np

    auto = np.asarray(confidence, dtype=float) >= cutoff
    if agree is not None:
        auto &= np.asarray(agree, dtype=bool)
    if empty is not None:
        auto |= np.asarray(empty, dtype=bool)
    return auto


def promise(confidence, correct, targets=(0.8, 0.9, 0.95), level: float = LEVEL, *, agree=None) -> list[dict]:
    """What `train` can promise per target: cut-off, share auto-coded and its accuracy bound (out of fold).

    With `agree`, only answers on which the two views agree are eligible (the same gate as `auto_coded`).
    A target that no cut-off reaches has share 0 and `too_few` set when even all-right answers would
    be too few to show it (fewer than `min_answers_for(target)` eligible answers).
    """
    import numpy as np

    conf = np.asarray(confidence, dtype=float)
    right = np.asarray(correct, dtype=bool)
    eligible = np.ones(len(conf), dtype=bool) if agree is None else np.asarray(agree, dtype=bool)
    rows = []
    for target in targets:
        cut = review_cutoff(conf[eligible], right[eligible], target, level)
        auto = auto_coded(conf, cut, agree=eligible)
        n, k = int(auto.sum()), int(right[auto].sum())
        rows.append({"target": target, "cutoff": cut, "n_auto": n, "share_auto": n / len(conf) if len(conf) else 0.0,
                     "accuracy": k / n if n else float("nan"),
                     "accuracy_lower_bound": float(clopper_pearson_lower(k, n, level)) if n else 0.0,
                     "too_few": int(eligible.sum()) < min_answers_for(target, level)})
    return rows
