"""Measuring coding against gold codes: per-theme scores, cross-validation and the review trade-off.

Scores: precision, recall and F1 per theme (scikit-learn's definitions), support (gold answers
with the theme), Cohen's kappa per theme (`sklearn.metrics.cohen_kappa_score` on the 0/1
decisions of all scored answers), micro averages over all (answer, theme) decisions, macro
averages over the themes that occur in the gold codes, and exact-set accuracy (the share of
answers whose whole theme set equals the gold set).

Without a model, `cross_validate` trains a full model (with its own inner folds for calibration,
thresholds and the review map) on k-1 folds and scores it on the held-out fold: nested, so no
number is tuned on the answers it is scored on. Folds are grouped by `respondent_id` when the
corpus has one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from ..codebook.definition import Codebook
from ..errors import UsageError

TARGETS = (0.7, 0.8, 0.9, 0.95)


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


@dataclass(frozen=True)
class TradeoffRow:
    target: float
    n_auto: int
    share_auto: float
    accuracy: float  # measured exact-set accuracy of the automatically coded answers (nan if none)


@dataclass
class Evaluation:
    mode: str  # "cross-validation" or "model"
    n_answers: int
    folds: int | None
    grouped_by: str | None
    rules: Scores
    model: Scores
    hybrid: Scores
    tradeoff: list[TradeoffRow]
    too_few_examples: list[str] = field(default_factory=list)
    has_patterns: bool = True
    model_id: str | None = None


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def score_matrix(gold, pred, themes: list[str], applies=None) -> Scores:
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
        precision, recall = _ratio(tp, p.sum()), _ratio(tp, g.sum())
        f1 = _ratio(2 * tp, g.sum() + p.sum())
        if g.any() or p.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kappa = float(cohen_kappa_score(g, p)) if len(g) else math.nan
        else:
            kappa = math.nan  # nothing to agree on: neither coded the theme
        per_theme.append(ThemeScore(theme, precision, recall, f1, int(g.sum()), int(p.sum()), kappa))
    tp = int((gold & pred).sum())
    micro = Average(_ratio(tp, pred.sum()), _ratio(tp, gold.sum()), _ratio(2 * tp, gold.sum() + pred.sum()))
    present = [t for t in per_theme if t.support > 0]
    macro = Average(*(float(np.mean([getattr(t, k) for t in present])) if present else 0.0
                      for k in ("precision", "recall", "f1")))
    exact = float((gold == pred).all(axis=1).mean()) if len(gold) else 0.0
    return Scores(per_theme, micro, macro, exact, len(gold))


def tradeoff(auto: dict, exact) -> list[TradeoffRow]:
    """For each target: how many answers are coded automatically, and how often those are exactly right.

    `auto` maps each target precision to the boolean array of answers coded automatically at it.
    """
    import numpy as np

    exact = np.asarray(exact, dtype=bool)
    rows = []
    for target, flags in auto.items():
        flags = np.asarray(flags, dtype=bool)
        n = int(flags.sum())
        rows.append(TradeoffRow(target, n, _ratio(n, len(exact)), float(exact[flags].mean()) if n else math.nan))
    return rows


def _subset(data, index):
    return replace(data, rows=data.rows.iloc[index].reset_index(drop=True), Y=data.Y[index],
                   applies=data.applies[index], rule_hits=data.rule_hits[index], empty=data.empty[index],
                   groups=[data.groups[i] for i in index], ids=[data.ids[i] for i in index],
                   grouped_by=data.grouped_by)


def _apply(model, data, targets):
    """Decisions of a model on prepared answers, and which it codes automatically per target."""
    P = model.probabilities(data.rows, data.applies)
    P[data.empty] = 0.0
    model_dec, rules_dec, hybrid = model.decide(P, data.rule_hits, data.applies)
    hybrid[data.empty] = False
    model_dec[data.empty] = False
    confidence = model.confidence(P, hybrid, data.applies)
    auto = {t: model.auto_coded(confidence, data.empty, t) for t in targets}
    return model_dec, rules_dec, hybrid, auto


def outer_splits(data, folds: int = 5, params=None):
    """The folds `cross_validate` scores on (grouped by respondent when known), for comparisons."""
    from ..model.classifier import ModelParams, fold_splits

    if folds < 2:
        raise UsageError(f"cross-validation needs at least 2 folds (got {folds})")
    # A different seed from the inner folds, so outer and inner splits do not line up.
    return fold_splits(data.groups, folds, (params or ModelParams()).seed + 1)


def cross_validate(data, codebook: Codebook, params=None, folds: int = 5, targets=TARGETS,
                   progress=None) -> Evaluation:
    """Nested k-fold cross-validation of rules, model and hybrid on prepared answers."""
    import numpy as np

    from ..model.classifier import ModelParams, fit

    params = params or ModelParams()
    splits = outer_splits(data, folds, params)
    shape = data.Y.shape
    model_dec, rules_dec, hybrid = (np.zeros(shape, dtype=bool) for _ in range(3))
    auto = {t: np.zeros(shape[0], dtype=bool) for t in targets}
    too_few: set[str] = set()
    for train_idx, test_idx in splits:
        model = fit(_subset(data, train_idx), codebook, params)
        too_few.update(model.too_few_examples)
        m, r, h, a = _apply(model, _subset(data, test_idx), targets)
        model_dec[test_idx], rules_dec[test_idx], hybrid[test_idx] = m, r, h
        for t in targets:
            auto[t][test_idx] = a[t]
        if progress is not None:
            progress(1)
    return _evaluation("cross-validation", data, codebook, model_dec, rules_dec, hybrid, auto,
                       folds=len(splits), too_few=sorted(too_few, key=data.themes.index))


def evaluate_model(model, data, codebook: Codebook, targets=TARGETS) -> Evaluation:
    """Score a trained model on prepared answers with gold codes."""
    model_dec, rules_dec, hybrid, auto = _apply(model, data, targets)
    return _evaluation("model", data, codebook, model_dec, rules_dec, hybrid, auto,
                       folds=None, too_few=model.too_few_examples, model_id=model.model_id)


def _evaluation(mode, data, codebook, model_dec, rules_dec, hybrid, auto, *, folds, too_few,
                model_id=None) -> Evaluation:
    gold = data.Y == 1
    exact = (hybrid == gold).all(axis=1)
    return Evaluation(
        mode=mode, n_answers=len(data.ids), folds=folds, grouped_by=data.grouped_by if folds else None,
        rules=score_matrix(gold, rules_dec, data.themes), model=score_matrix(gold, model_dec, data.themes),
        hybrid=score_matrix(gold, hybrid, data.themes), tradeoff=tradeoff(auto, exact),
        too_few_examples=list(too_few), has_patterns=codebook.has_patterns, model_id=model_id,
    )
