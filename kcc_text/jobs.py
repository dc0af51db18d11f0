"""The jobs the commands run, end to end: read, compute, write. Nothing here prints."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from .codebook.definition import load_codebook
from .io.answers import ColumnMap, iter_corpus
from .io.writing import check_output_path, write_csv_chunks_atomic


@dataclass(frozen=True)
class CodeSummary:
    n_answers: int
    n_with_theme: int
    n_review: int
    codebook_ref: str
    pipeline: str


def code_corpus_file(corpus_path, codebook_path, out_path, *, model_path=None, target_precision=None,
                     spacy_model=None, columns: ColumnMap = ColumnMap(), progress=None,
                     chunk_size: int = 2000) -> CodeSummary:
    """Code a corpus file chunk by chunk and write the coded CSV atomically.

    Memory holds one chunk at a time, so it does not grow with the number of answers.
    """
    from .coding import Coder, coded_chunk, check_input_columns

    out = check_output_path(out_path, [corpus_path, codebook_path, model_path])
    codebook = load_codebook(codebook_path)
    model = None
    if model_path is not None:
        from .model.persistence import load_model

        model = load_model(model_path)
    coder = Coder(codebook, model=model, spacy_model=spacy_model, target_precision=target_precision)
    counts = {"themed": 0, "review": 0}

    def coded_chunks(advance):
        for chunk in iter_corpus(corpus_path, columns, chunk_size=chunk_size):
            check_input_columns(chunk, corpus_path)
            coded = coded_chunk(chunk, coder)
            counts["themed"] += int((coded["themes"] != "").sum())
            counts["review"] += int(coded["needs_review"].sum())
            if advance is not None:
                advance(len(coded))
            yield coded

    bar = progress() if progress is not None else contextlib.nullcontext(None)
    with bar as advance:
        n = write_csv_chunks_atomic(coded_chunks(advance), out)
    return CodeSummary(n_answers=n, n_with_theme=counts["themed"], n_review=counts["review"],
                       codebook_ref=codebook.ref, pipeline=coder.pipeline)


@dataclass(frozen=True)
class TrainSummary:
    model: object  # classifier.KccModel
    out: Path
    n_answers: int  # answers in the corpus
    n_coded: int  # of those, answers with a code in the labels file (the training data)
    n_labels_unmatched: int  # coded ids that are not in the corpus


def _coded_data(corpus_path, labels_path, codebook, columns: ColumnMap, spacy_model,
                ignore_unknown_themes: bool = False):
    from .model.classifier import prepare
    from .io.answers import read_corpus
    from .errors import InputFileError
    from .io.labels import label_sets, read_labels
    from .nlp.pipeline import load_pipeline

    frame = read_corpus(corpus_path, columns)
    sets = label_sets(read_labels(labels_path, known_themes=codebook.theme_ids,
                                  ignore_unknown_themes=ignore_unknown_themes))
    known = set(frame["id"])
    unmatched = sum(1 for i in sets if i not in known)
    if not any(i in known for i in sets):
        raise InputFileError(f"none of its {len(sets)} coded ids is an id in {Path(corpus_path).name}",
                             labels_path)
    data = prepare(frame, sets, codebook, nlp=load_pipeline(spacy_model))
    return frame, data, unmatched


def train_model_file(corpus_path, labels_path, codebook_path, out_path, *, columns: ColumnMap = ColumnMap(),
                     spacy_model=None, params=None, ignore_unknown_themes: bool = False) -> TrainSummary:
    """Train a model on the coded answers of a corpus and save it (skops, with its card) atomically."""
    from .model.classifier import fit, ModelParams
    from .model.persistence import save_model

    out = check_output_path(out_path, [corpus_path, labels_path, codebook_path])
    codebook = load_codebook(codebook_path)
    frame, data, unmatched = _coded_data(corpus_path, labels_path, codebook, columns, spacy_model,
                                         ignore_unknown_themes)
    model = fit(data, codebook, params or ModelParams())
    save_model(model, out)
    return TrainSummary(model=model, out=out, n_answers=len(frame), n_coded=len(data.ids),
                        n_labels_unmatched=unmatched)


def evaluate_files(corpus_path, labels_path, codebook_path, *, model_path=None, folds: int = 5,
                   columns: ColumnMap = ColumnMap(), spacy_model=None, params=None, progress=None,
                   ignore_unknown_themes: bool = False):
    """Score rules, model and hybrid against gold codes: a given model, or nested k-fold cross-validation."""
    from .analysis.evaluation import cross_validate, evaluate_model

    codebook = load_codebook(codebook_path)
    model = None
    if model_path is not None:
        from .model.persistence import load_model

        model = load_model(model_path)
        model.check_codebook(codebook)
    _frame, data, _unmatched = _coded_data(corpus_path, labels_path, codebook, columns, spacy_model,
                                           ignore_unknown_themes)
    if model is not None:
        return evaluate_model(model, data, codebook)
    return cross_validate(data, codebook, params, folds=folds, progress=progress)
