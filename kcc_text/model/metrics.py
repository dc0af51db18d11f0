"""Scores of theme decisions against gold codes (scikit-learn's definitions of P, R, F1, kappa).

Per theme: precision, recall, F1, support (gold answers with the theme), Cohen's kappa on the
0/1 decisions. Micro averages pool every (answer, theme) decision; macro averages are over the
themes that occur in the gold codes; exact-set accuracy is the share of answers whose whole
theme set equals the gold set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ThemeScore:
    theme: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    kappa: float


@dataclass(frozen=True)
class Average:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Scores:
    themes: list[ThemeScore]
    micro: Average
    macro: Average
    exact_accuracy: float
    n_answers: int

    def theme(self, theme_id: str) -> ThemeScore:
        return next(t for t in self.themes if t.theme == theme_id)


def ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def f1(y, pred) -> float:
    """F1 of boolean predictions against boolean gold."""
    return ratio(2 * float((y & pred).sum()), float(y.sum() + pred.sum()))


def score_matrix(gold, pred, themes: list[str]) -> Scores:
    """Scores of 0/1 decisions `pred` against `gold` (both answers x themes boolean arrays)."""
    import warnings

    import numpy as np
    from sklearn.metrics import cohen_kappa_score

    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    per_theme = []
    for j, theme in enumerate(themes):
        g, p = gold[:, j], pred[:, j]
        tp = int((g & p).sum())
        if g.any() or p.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kappa = float(cohen_kappa_score(g, p)) if len(g) else math.nan
        else:
            kappa = math.nan  # nothing to agree on: neither coded the theme
        per_theme.append(ThemeScore(theme, ratio(tp, p.sum()), ratio(tp, g.sum()), f1(g, p),
                                    int(g.sum()), int(p.sum()), kappa))
    tp = int((gold & pred).sum())
    micro = Average(ratio(tp, pred.sum()), ratio(tp, gold.sum()), f1(gold, pred))
    present = [t for t in per_theme if t.support > 0]
    macro = Average(*(float(np.mean([getattr(t, k) for t in present])) if present else 0.0
                      for k in ("precision", "recall", "f1")))
    exact = float((gold == pred).all(axis=1).mean()) if len(gold) else 0.0
    return Scores(per_theme, micro, macro, exact, len(gold))
