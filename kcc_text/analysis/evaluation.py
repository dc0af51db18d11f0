"""Measuring coding against gold codes: cross-validation, a given model, and the review trade-off.

Scores are those of `model.metrics` (precision, recall, F1, kappa per theme; micro and macro
averages; exact-set accuracy). Decisions come from `model.decision`, the rule `code` applies.

Without a model, `cross_validate` trains a full model (with its own inner folds for calibration,
thresholds and the review map) on k-1 folds and scores it on the held-out fold: nested, so no
number is tuned on the answers it is scored on. Folds are grouped by `respondent_id` when the
corpus has one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..codebook.definition import Codebook
from ..errors import UsageError
from ..model.metrics import Scores, ratio, score_matrix

TARGETS = (0.7, 0.8, 0.9, 0.95)
__all__ = ["Evaluation", "Scores", "TradeoffRow", "cross_validate", "evaluate_model", "outer_splits",
           "score_matrix", "tradeoff"]


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
    predictions: object = None  # with a model: the coded rows it scored (io.coded format)
    decided_by: dict = field(default_factory=dict)  # theme -> model/patterns/both (per fold: the most common)


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
        rows.append(TradeoffRow(target, n, ratio(n, len(exact)), float(exact[flags].mean()) if n else math.nan))
    return rows


def outer_splits(data, folds: int = 5, params=None):
    """The folds `cross_validate` scores on (grouped by respondent when known), for comparisons."""
    from ..model.training import ModelParams, fold_splits

    if folds < 2:
        raise UsageError(f"cross-validation needs at least 2 folds (got {folds})")
    # A different seed from the inner folds, so outer and inner splits do not line up.
    return fold_splits(data.groups, folds, (params or ModelParams()).seed + 1)


def cross_validate(data, codebook: Codebook, params=None, folds: int = 5, targets=TARGETS,
                   progress=None) -> Evaluation:
    """Nested k-fold cross-validation of rules, model and hybrid on prepared answers."""
    import numpy as np

    from ..model.training import ModelParams, fit

    params = params or ModelParams()
    splits = outer_splits(data, folds, params)
    shape = data.Y.shape
    model_dec, rules_dec, hybrid = (np.zeros(shape, dtype=bool) for _ in range(3))
    auto = {t: np.zeros(shape[0], dtype=bool) for t in targets}
    too_few: set[str] = set()
    choices: dict[str, list[str]] = {}
    for train_idx, test_idx in splits:
        model = fit(data.subset(train_idx), codebook, params)
        too_few.update(model.too_few_examples)
        for theme, choice in model.card.get("decided_by", {}).items():
            choices.setdefault(theme, []).append(choice)
        decided = model.decide(data.subset(test_idx))
        model_dec[test_idx], rules_dec[test_idx], hybrid[test_idx] = decided.model, decided.rules, decided.hybrid
        for t in targets:
            auto[t][test_idx] = model.auto_coded(decided, t)
        if progress is not None:
            progress(1)
    result = _evaluation("cross-validation", data, codebook, model_dec, rules_dec, hybrid, auto,
                         folds=len(splits), too_few=sorted(too_few, key=data.themes.index))
    result.decided_by = {t: max(set(c), key=c.count) for t, c in choices.items()}
    return result


def evaluate_model(model, data, codebook: Codebook, targets=TARGETS, *, answers=None,
                   target_precision: float | None = None, pipeline: str = "") -> Evaluation:
    """Score a trained model on prepared answers with gold codes.

    With `answers` (the corpus rows of `data`, in its order) the result also holds the coded
    rows that were scored, exactly as `code` writes them at `target_precision`.
    """
    from ..coding import answer_codes
    from ..io.coded import coded_frame

    decided = model.decide(data)
    auto = {t: model.auto_coded(decided, t) for t in targets}
    result = _evaluation("model", data, codebook, decided.model, decided.rules, decided.hybrid, auto,
                         folds=None, too_few=model.too_few_examples, model_id=model.model_id)
    result.decided_by = dict(model.card.get("decided_by", {}))
    if answers is not None:
        codes = answer_codes(decided, model.auto_coded(decided, target_precision), data.evidence, data.themes,
                             data.applies)
        result.predictions = coded_frame(answers, codes, codebook=codebook, pipeline=pipeline,
                                         model_id=model.model_id)
    return result


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
