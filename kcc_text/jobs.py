"""The jobs the commands run, end to end: read, compute, write. Nothing here prints."""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass
from pathlib import Path

from .codebook.definition import load_codebook
from .io.writing import check_output_path, write_csv_chunks_atomic


@dataclass(frozen=True)
class CodeSummary:
    n_answers: int
    n_with_theme: int
    n_review: int
    codebook_ref: str
    pipeline: str
    n_rows: int = 0  # rows written: answers, or respondents with --wide
    notices: tuple[str, ...] = ()
    replaced: dict[str, int] | None = None  # personal data replaced per kind, when pseudonymised


def code_corpus_file(corpus_path, codebook_path, out_path, *, model_path=None, target_precision=None,
                     spacy_model=None, columns=None, progress=None, chunk_size: int = 2000,
                     wide: bool = False, delimiter: str | None = None, on_notice=None,
                     allow_codebook_change: bool = False, pseudonymise: bool = False) -> CodeSummary:
    """Code an answers file chunk by chunk and write the coded file atomically, in the format its name asks for.

    `columns`: an `io.corpus.AnswerOptions` (or `io.answers.ColumnMap`). A long CSV output is
    written chunk by chunk, so memory holds one chunk; `.xlsx`, `.sav` and `--wide` need all rows.
    `pseudonymise`: the texts written (and the evidence words) are pseudonymised after coding.
    """
    from .coding import Coder
    from .io.coded import check_input_columns
    from .io.corpus import open_answers
    from .io.outputs import output_format, parse_delimiter, with_value_labels

    out = check_output_path(out_path, [corpus_path, codebook_path, model_path])
    fmt = output_format(out)
    sep = parse_delimiter(delimiter, fmt)
    codebook = load_codebook(codebook_path)
    answers = open_answers(corpus_path, columns, codebook=codebook, chunk_size=chunk_size)
    first = next(answers.chunks, None)  # read the header (and a Qualtrics export's notice) before coding
    chunks = itertools.chain([first] if first is not None else [], answers.chunks)
    if wide and (first is None or "question" not in first.columns):
        from .errors import UsageError

        raise UsageError("needs the question of every answer: name the question of each answer column, "
                         "or one question for the file", setting="wide")
    model = None
    if model_path is not None:
        from .model.persistence import load_model

        model = load_model(model_path)
    coder = Coder(codebook, model=model, spacy_model=spacy_model, target_precision=target_precision,
                  allow_codebook_change=allow_codebook_change)
    counts = {"themed": 0, "review": 0, "answers": 0}
    safe = None
    if pseudonymise:
        from .privacy.coded import for_answers

        safe = for_answers(codebook, answers)

    def coded_chunks(advance):
        for chunk in chunks:
            check_input_columns(chunk, corpus_path)
            coded = coder.code_chunk(chunk)
            if safe is not None:  # after coding, so that themes are found on the original words
                coded = safe(coded)
            counts["themed"] += int((coded["themes"] != "").sum())
            counts["review"] += int(coded["needs_review"].sum())
            counts["answers"] += len(coded)
            if advance is not None:
                advance(len(coded))
            yield coded

    for notice in [*answers.notices, *coder.notes]:  # known before any answer is coded
        if on_notice is not None:
            on_notice(notice)
    bar = progress() if progress is not None else contextlib.nullcontext(None)
    with bar as advance:
        if fmt == "csv" and not wide:
            rows = write_csv_chunks_atomic((with_value_labels(c, answers.meta) for c in coded_chunks(advance)),
                                           out, delimiter=sep, bom=True)
        else:
            rows = _write_whole(list(coded_chunks(advance)), answers, codebook, out, fmt, sep, wide)
    return CodeSummary(n_answers=counts["answers"], n_with_theme=counts["themed"], n_review=counts["review"],
                       codebook_ref=codebook.ref, pipeline=coder.pipeline, n_rows=rows,
                       notices=tuple(answers.notices), replaced=dict(safe.counts) if safe else None)


def _write_whole(frames, answers, codebook, out, fmt: str, sep: str, wide: bool) -> int:
    import pandas as pd

    from .io.outputs import write_coded

    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    labels = None
    if wide:
        from .io.wide import to_wide

        frame, labels = to_wide(frame, answers, codebook)
    write_coded(frame, out, fmt, codebook=codebook, meta=answers.meta, delimiter=sep, variable_labels=labels)
    return len(frame)


@dataclass(frozen=True)
class TrainSummary:
    model: object  # classifier.KccModel
    out: Path
    n_answers: int  # answers in the corpus
    n_coded: int  # of those, answers with a code in the labels file (the training data)
    n_labels_unmatched: int  # coded ids that are not in the corpus


def _coded_data(corpus_path, labels_path, codebook, columns, spacy_model, on_notice=None,
                ignore_unknown_themes: bool = False):
    from .errors import InputFileError
    from .io.corpus import read_answers
    from .io.keys import keyed_by_question, with_keys
    from .io.labels import label_sets, read_labels
    from .model.training import prepare
    from .parsing import AnswerParser

    frame = read_answers(corpus_path, columns, codebook=codebook, on_notice=on_notice)
    labels = read_labels(labels_path, known_themes=codebook.theme_ids, ignore_unknown_themes=ignore_unknown_themes)
    # A wide file's answers share their respondent's id: there (id, question) names an answer.
    by_question = keyed_by_question(frame, labels)
    if by_question and "respondent_id" not in frame.columns:
        frame = frame.assign(respondent_id=frame["id"])  # a respondent's answers stay in one fold
    frame = with_keys(frame, by_question, corpus_path)
    sets = label_sets(with_keys(labels, by_question, labels_path))
    known = set(frame["id"])
    unmatched = sum(1 for i in sets if i not in known)
    if not any(i in known for i in sets):
        raise InputFileError(f"none of its {len(sets)} coded ids is an id in {Path(corpus_path).name}",
                             labels_path)
    parser = AnswerParser(codebook, spacy_model)
    data = prepare(frame, sets, codebook, parser=parser)
    return frame, data, unmatched, parser


def train_model_file(corpus_path, labels_path, codebook_path, out_path, *, columns=None,
                     spacy_model=None, params=None, on_notice=None,
                     ignore_unknown_themes: bool = False) -> TrainSummary:
    """Train a model on the coded answers of a corpus and save it (skops, with its card) atomically."""
    from .model.training import ModelParams, fit
    from .model.persistence import save_model

    out = check_output_path(out_path, [corpus_path, labels_path, codebook_path])
    codebook = load_codebook(codebook_path)
    frame, data, unmatched, _parser = _coded_data(corpus_path, labels_path, codebook, columns, spacy_model,
                                                  on_notice, ignore_unknown_themes)
    model = fit(data, codebook, params or ModelParams())
    save_model(model, out)
    return TrainSummary(model=model, out=out, n_answers=len(frame), n_coded=len(data.ids),
                        n_labels_unmatched=unmatched)


def evaluate_files(corpus_path, labels_path, codebook_path, *, model_path=None, folds: int = 5,
                   columns=None, spacy_model=None, params=None, progress=None, on_notice=None,
                   predictions_path=None, target_precision=None, allow_codebook_change: bool = False,
                   ignore_unknown_themes: bool = False):
    """Score rules, model and hybrid against gold codes: a given model, or nested k-fold cross-validation.

    With a model and `predictions_path`, the scored predictions are written in the coded-output
    format: the same rows `code` writes for these answers with this model.
    """
    from .analysis.evaluation import cross_validate, evaluate_model
    from .errors import UsageError

    if predictions_path is not None and model_path is None:
        raise UsageError("predictions can only be written for a given model (cross-validation scores "
                         "several models)")
    if predictions_path is not None:
        check_output_path(predictions_path, [corpus_path, labels_path, codebook_path, model_path])
    codebook = load_codebook(codebook_path)
    model = None
    if model_path is not None:
        from .model.persistence import load_model

        model = load_model(model_path)
        for note in model.check_codebook(codebook, allow_change=allow_codebook_change):
            if on_notice is not None:
                on_notice(note)
    frame, data, _unmatched, parser = _coded_data(corpus_path, labels_path, codebook, columns, spacy_model,
                                                  on_notice, ignore_unknown_themes)
    if model is None:
        return cross_validate(data, codebook, params, folds=folds, progress=progress)
    model.check_pipeline(parser.pipeline)
    answers = frame.set_index("id", drop=False).loc[data.ids].reset_index(drop=True)
    result = evaluate_model(model, data, codebook, answers=answers, target_precision=target_precision,
                            pipeline=parser.pipeline)
    if predictions_path is not None:
        from .io.writing import write_csv_atomic

        write_csv_atomic(result.predictions, predictions_path)
    return result
