"""The library API: each step of the analysis as one call on pandas DataFrames.

    import kcc_text as kt

    codebook = kt.load_codebook("codebooks/kcc.yaml")
    answers = kt.read_answers("corpus/kcc-2020.csv")
    labels = kt.read_labels("corpus/kcc-2020.labels.csv", codebook)
    model = kt.train(answers, labels, codebook)          # a fitted ThemeClassifier
    coded = kt.code(answers, codebook, model=model)       # the coded-output columns
    kt.shift(coded, codebook).table                       # theme shift between waves
    kt.agreement(labels, coded, codebook).to_frame()      # human vs machine

Nothing here prints or writes unless asked to; errors are `kcc_text.errors.KccError`s.
"""

from __future__ import annotations

from pathlib import Path

from .codebook.definition import Codebook, load_codebook

__all__ = ["Codebook", "agreement", "code", "evaluate", "load_codebook", "load_model", "read_answers",
           "read_labels", "save_model", "shift", "train"]


def read_answers(path: str | Path, *, id_col: str = "id", text_col: str = "text", wave_col: str = "wave",
                 question_col: str = "question"):
    """Answers from CSV, XLSX or SPSS as a DataFrame with `id`, `text`, optional `wave`, `question`."""
    from .io.answers import ColumnMap, read_corpus

    return read_corpus(path, ColumnMap(id_col, text_col, wave_col, question_col))


def read_labels(path: str | Path, codebook: Codebook | None = None):
    """Human codes (long format, one row per answer and theme); themes checked against `codebook`."""
    from .io.labels import read_labels as _read

    return _read(path, known_themes=codebook.theme_ids if codebook is not None else None)


def train(answers, labels, codebook: Codebook, **params):
    """A `ThemeClassifier` fitted on the answers that have human codes (`labels`: frame or id -> themes)."""
    from .model.theme_classifier import ThemeClassifier

    return ThemeClassifier(codebook, **params).fit(answers, labels)


def _kcc_model(model, codebook):
    if model is None:
        return None
    fitted = getattr(model, "model_", model)  # a ThemeClassifier or a KccModel
    fitted.check_codebook(codebook)
    return fitted


def code(answers, codebook: Codebook, *, model=None, target_precision: float | None = None,
         spacy_model: str | None = None):
    """The answers with the coded-output columns (`themes`, `needs_review`, `th_<id>`, ...)."""
    from .coding import Coder, code_frame

    coder = Coder(codebook, model=_kcc_model(model, codebook), spacy_model=spacy_model,
                  target_precision=target_precision)
    return code_frame(answers, coder)


def evaluate(answers, labels, codebook: Codebook, *, model=None, folds: int = 5):
    """Scores against human codes: nested cross-validation, or the given model."""
    from .analysis.evaluation import cross_validate, evaluate_model
    from .io.labels import as_label_sets
    from .model.training import prepare

    data = prepare(answers, as_label_sets(labels), codebook)
    fitted = _kcc_model(model, codebook)
    if fitted is None:
        return cross_validate(data, codebook, folds=folds)
    return evaluate_model(fitted, data, codebook)


def shift(coded, codebook: Codebook | None = None, *, by: str = "wave", group_a: str | None = None,
          group_b: str | None = None, question: str | None = None, test: str = "fisher",
          correction: str = "holm"):
    """Theme shares per group and their shift, with intervals, tests and corrections (`.table`)."""
    from .analysis.shift import theme_shift

    return theme_shift(coded, codebook.themes if codebook is not None else None, by=by, group_a=group_a,
                       group_b=group_b, question=question, test=test, correction=correction,
                       non_answer_phrases=codebook.non_answers if codebook is not None else ())


def agreement(codes_a, codes_b, codebook: Codebook | None = None):
    """Agreement per theme of two codings (labels frames, coded frames, or id -> themes mappings)."""
    from .analysis.agreement import agreement_report

    return agreement_report(codes_a, codes_b, codebook=codebook)


def load_model(path: str | Path):
    """A trained model from its file (safe format only; see `model.persistence`)."""
    from .model.persistence import load_model as _load

    return _load(path)


def save_model(model, path: str | Path) -> None:
    from .model.persistence import save_model as _save

    _save(getattr(model, "model_", model), path)
