"""From decision values to probabilities and thresholds, learnt on out-of-fold scores.

Platt scaling turns a theme's decision value into a probability. Per-theme thresholds: the one
threshold that maximises micro-F1 over all themes, moved towards the theme's own F1-optimal
threshold in proportion to its number of examples (n / (n + shrink)), because the optimum of
a theme with a dozen examples is mostly noise.
"""

from __future__ import annotations


def platt(scores, y) -> tuple[float, float]:
    """(a, b) with p = 1 / (1 + exp(-(a * score + b))), fitted on out-of-fold scores."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        return (0.0, -20.0 if y.max() == 0 else 20.0)
    lr = LogisticRegression(C=1e4, solver="lbfgs").fit(np.asarray(scores).reshape(-1, 1), y)
    return (float(lr.coef_[0, 0]), float(lr.intercept_[0]))


def sigmoid(z):
    import numpy as np

    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def best_threshold(y_true, probs, grid) -> tuple[float, float]:
    """The threshold with the highest F1 (ties: the lowest), and that F1."""
    positives = y_true.sum()
    best = (0.5, -1.0)
    for t in grid:
        pred = probs >= t
        tp = float((pred & (y_true == 1)).sum())
        denom = pred.sum() + positives
        f1 = 2 * tp / denom if denom else 0.0
        if f1 > best[1] + 1e-12:
            best = (float(t), f1)
    return best


def tune_thresholds(Y, P, mask, learnable, shrink: float) -> dict[int, float]:
    """Per-theme thresholds: the micro-F1 optimum shrunk towards each theme's own optimum."""
    import numpy as np

    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    cols = list(learnable)
    y_all = np.concatenate([Y[mask[:, j], j] for j in cols]) if cols else np.zeros(0)
    p_all = np.concatenate([P[mask[:, j], j] for j in cols]) if cols else np.zeros(0)
    global_t, _ = best_threshold(y_all, p_all, grid) if len(y_all) else (0.5, 0.0)
    thresholds = {}
    for j in cols:
        own, _ = best_threshold(Y[mask[:, j], j], P[mask[:, j], j], grid)
        n = float(Y[mask[:, j], j].sum())
        w = n / (n + shrink)
        thresholds[j] = float(w * own + (1 - w) * global_t)
    return thresholds
