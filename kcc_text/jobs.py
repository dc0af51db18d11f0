"""The jobs the commands run, end to end: read, compute, write. Nothing here prints."""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, replace
from collections.abc import Iterable
from typing import TYPE_CHECKING
from pathlib import Path

from .codebook.definition import load_codebook
from .io.writing import check_output_path, write_csv_chunks_atomic, write_text_chunks_atomic

if TYPE_CHECKING:  # results named in signatures; their modules load when a job runs
    from .analysis.agreement import AgreementResult
    from .analysis.discover import DiscoverResult
    from .analysis.review import ReviewResult


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
    audit: object = None  # analysis.audit.AuditCheck, when an audit chose the cut-off


def code_corpus_file(corpus_path, codebook_path, out_path, *, model_path=None, target_precision=None,
                     spacy_model=None, columns=None, progress=None, chunk_size: int = 2000,
                     wide: bool = False, delimiter: str | None = None, on_notice=None,
                     allow_codebook_change: bool = False, pseudonymise: bool = False,
                     audit_path=None, workers: int | None = None) -> CodeSummary:
    """Code an answers file chunk by chunk and write the coded file atomically, in the format its name asks for.

    `columns`: an `io.corpus.AnswerOptions` (or `io.answers.ColumnMap`). A long CSV output is
    written chunk by chunk, so memory holds one chunk; `.xlsx`, `.sav` and `--wide` need all rows,
    and so does an audit (`audit_path`, a labels file of a random sample of these answers), which
    chooses the auto-coding cut-off on the audited answers and gives them their human codes
    (`analysis.audit.audit_coding`).
    `pseudonymise`: the texts written (and the evidence words) are pseudonymised after coding.
    `workers`: processes that code chunks (None: all cores for a file of more than `workers.LARGE`
    answers, estimated from its size, else 1; 1 for a model with sentence embeddings, whose engine
    uses every core itself); the output is the same whatever their number.
    """
    from .coding import Coder
    from .io.coded import check_input_columns
    from .io.corpus import open_answers
    from .io.outputs import output_format, parse_delimiter, with_value_labels

    if workers is not None and workers < 1:
        from .errors import UsageError

        raise UsageError(f"must be 1 or more (got {workers})", setting="workers")
    out = check_output_path(out_path, [corpus_path, codebook_path, model_path, audit_path])
    fmt = output_format(out)
    sep = parse_delimiter(delimiter, fmt)
    codebook = load_codebook(codebook_path)
    audit_labels = None
    if audit_path is not None:
        from .errors import UsageError
        from .io.labels import read_labels

        if model_path is None:
            raise UsageError("needs a trained model: the audit checks the model's confidence in each answer",
                             setting="audit")
        audit_labels = read_labels(audit_path, known_themes=codebook.theme_ids)  # before minutes of coding
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
    # With an audit the audit sets the cut-off, not the model's training-time estimate.
    coder = Coder(codebook, model=model, spacy_model=spacy_model,
                  target_precision=None if audit_path is not None else target_precision,
                  allow_codebook_change=allow_codebook_change)
    counts = {"themed": 0, "review": 0, "answers": 0}
    safe = None
    if pseudonymise:
        from .privacy.coded import for_answers

        safe = for_answers(codebook, answers)

    # Straight to CSV text in the workers, unless the rows must be changed or kept after coding.
    as_text = fmt == "csv" and not wide and audit_labels is None and safe is None

    def jobs():
        """(chunk, header?, yes/no questions) in input order; yes/no decided here, as in one process."""
        for index, chunk in enumerate(chunks):
            check_input_columns(chunk, corpus_path)
            texts = chunk["text"].tolist()
            yield chunk, index == 0, coder._yes_no_questions(texts, chunk["question"].tolist()
                                                              if "question" in chunk.columns else None)

    def coded_chunks(advance):
        if as_text:
            from .csv_coding import CsvCoder

            csv_coder = CsvCoder(coder, meta=answers.meta, delimiter=sep)
            task = lambda job: csv_coder.code(job[0], header=job[1], yes_no=job[2])  # noqa: E731
        else:
            task = lambda job: coder.code_chunk(job[0], yes_no=job[2])  # noqa: E731
        # A semantic model's embedding engine uses every core itself: one process, unless told otherwise.
        semantic = model is not None and model.semantic
        chosen = workers
        if chosen is None:
            from .workers import cores

            chosen = cores() if not semantic and _many_answers(corpus_path, first) else 1
        for done in _in_order(task, jobs(), chosen):
            if as_text:
                n, themed, review = done.n_answers, done.n_with_theme, done.n_review
            else:
                if safe is not None:  # after coding, so that themes are found on the original words
                    done = safe(done)
                n, themed, review = len(done), int((done["themes"] != "").sum()), int(done["needs_review"].sum())
            counts["themed"] += themed
            counts["review"] += review
            counts["answers"] += n
            if advance is not None:
                advance(n)
            yield done

    for notice in [*answers.notices, *coder.notes]:  # known before any answer is coded
        if on_notice is not None:
            on_notice(notice)
    bar = progress() if progress is not None else contextlib.nullcontext(None)
    check = None
    with bar as advance:
        if as_text:
            write_text_chunks_atomic((c.text for c in coded_chunks(advance)), out, bom=True)
            rows = counts["answers"]
        elif fmt == "csv" and not wide and audit_labels is None:
            rows = write_csv_chunks_atomic((with_value_labels(c, answers.meta) for c in coded_chunks(advance)),
                                           out, delimiter=sep, bom=True)
        else:
            frames = list(coded_chunks(advance))
            if audit_labels is not None:
                frames, check = _audited(frames, audit_labels, codebook, corpus_path, audit_path, target_precision)
                counts["themed"] = int((frames[0]["themes"] != "").sum())
                counts["review"] = int(frames[0]["needs_review"].astype(int).sum())
            rows = _write_whole(frames, answers, codebook, out, fmt, sep, wide)
    return CodeSummary(n_answers=counts["answers"], n_with_theme=counts["themed"], n_review=counts["review"],
                       codebook_ref=codebook.ref, pipeline=coder.pipeline, n_rows=rows,
                       notices=tuple(answers.notices), replaced=dict(safe.counts) if safe else None, audit=check)


def _in_order(task, jobs, workers: int):
    """`task` over chunks in order; with more than one worker, the first chunk here, so that the
    workers start with the parser and caches it set up."""
    from .workers import ordered_map

    return ordered_map(task, jobs, workers=workers, serial=1, weight=lambda job: len(job[0]))


def _many_answers(path, first) -> bool:
    """Does the file hold more than `workers.LARGE` answers? Estimated from its size and the
    first chunk (the rows of a text file are not counted before they are read)."""
    from .workers import LARGE

    if first is None or not len(first):
        return False
    sample = first.head(500)
    per_answer = max(1, len(sample.to_csv(index=False, header=False)) / len(sample))
    try:
        size = Path(path).stat().st_size
    except OSError:
        return False
    return max(len(first), size / per_answer) > LARGE


def _audited(frames, labels, codebook, corpus_path, audit_path, target_precision):
    """The coded answers with the audit applied (one frame), and what the audit certified."""
    import pandas as pd

    from .analysis.audit import audit_coding, human_rows
    from .model.estimator import DEFAULT_TARGET_PRECISION

    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    decisions = human_rows(frame, labels, labels_path=audit_path, coded_path=corpus_path)
    target = DEFAULT_TARGET_PRECISION if target_precision is None else target_precision
    frame, check = audit_coding(frame, decisions, codebook.theme_ids, target)
    return [frame], check


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
                     ignore_unknown_themes: bool = False, features: str = "lexical") -> TrainSummary:
    """Train a model on the coded answers of a corpus and save it (skops, with its card) atomically."""
    from .model.training import ModelParams, fit
    from .model.persistence import save_model

    out = check_output_path(out_path, [corpus_path, labels_path, codebook_path])
    codebook = load_codebook(codebook_path)
    params = replace(params or ModelParams(), features=resolve_features(features))
    frame, data, unmatched, _parser = _coded_data(corpus_path, labels_path, codebook, columns, spacy_model,
                                                  on_notice, ignore_unknown_themes)
    model = fit(data, codebook, params)
    save_model(model, out)
    return TrainSummary(model=model, out=out, n_answers=len(frame), n_coded=len(data.ids),
                        n_labels_unmatched=unmatched)


def resolve_features(features: str) -> str:
    """lexical or semantic; auto is semantic where the embedding engine (the `semantic` extra) is installed."""
    from .errors import UsageError
    from .model.embeddings import _import_engine, engine_available

    if features not in ("lexical", "semantic", "auto"):
        raise UsageError(f"must be lexical, semantic or auto (got {features!r})", setting="features")
    if features == "auto":
        return "semantic" if engine_available() else "lexical"
    if features == "semantic":
        _import_engine()  # MissingExtraError naming the extra, before any work
    return features


def evaluate_files(corpus_path, labels_path, codebook_path, *, model_path=None, folds: int = 5,
                   columns=None, spacy_model=None, params=None, progress=None, on_notice=None,
                   predictions_path=None, target_precision=None, allow_codebook_change: bool = False,
                   ignore_unknown_themes: bool = False, features: str = "lexical"):
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
        from .model.training import ModelParams

        params = replace(params or ModelParams(), features=resolve_features(features))
        return cross_validate(data, codebook, params, folds=folds, progress=progress)
    model.check_pipeline(parser.pipeline)
    answers = frame.set_index("id", drop=False).loc[data.ids].reset_index(drop=True)
    result = evaluate_model(model, data, codebook, answers=answers, target_precision=target_precision,
                            pipeline=parser.pipeline)
    if predictions_path is not None:
        from .io.writing import write_csv_atomic

        write_csv_atomic(result.predictions, predictions_path)
    return result


@dataclass(frozen=True)
class SampleSummary:
    sample: object  # analysis.audit.AuditSample
    out: Path
    sidecar: Path
    seed_given: bool


def sample_coded_file(coded_path, out_path, *, n: int, by=None, seed: int | None = None,
                      now=None) -> SampleSummary:
    """Draw an audit sample from a coded file and write it (corpus format, CSV) with its sidecar, atomically.

    The sample holds the answers file's columns only, never the machine's codes, so that it can
    be coded blind. The sidecar records the seed, each stratum's size and sample size, the
    coded file's sha256, the settings and the time.
    """
    from datetime import datetime, timezone

    from .analysis.audit import draw_sample, new_seed
    from .errors import KccError, UsageError
    from .io.audit_sample import sidecar_path, write_audit_sample
    from .io.coded import read_coded

    out = check_output_path(out_path, [coded_path])
    sidecar = check_output_path(sidecar_path(out), [coded_path])
    if out.suffix.lower() != ".csv":
        raise UsageError("an audit sample is written as CSV: give it a name ending in .csv", out)
    frame = read_coded(coded_path, require=("id", "text"))
    if "source" in frame.columns and (frame["source"].astype(str).str.strip() == "human").any():
        raise UsageError("holds answers with a person's codes (source = human): draw the audit from the file "
                         "`code` wrote without an audit, before any merge, so that every answer has the "
                         "machine's own codes", coded_path)
    seed_given = seed is not None
    try:
        sample = draw_sample(frame, n, by=by, seed=seed if seed_given else new_seed())
    except KccError as error:
        if error.path is None and error.setting is None:  # a problem of the coded file: name it
            raise type(error)(error.detail, coded_path) from None
        raise
    record = {
        "kcc_text_version": _version(),
        "created_at": (now() if now is not None else datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        "coded_file": str(coded_path),
        "coded_sha256": _sha256(coded_path),
        "method": "simple random sample without replacement per stratum, of the answers that are not blank or "
                  "non-answers; numpy.random.default_rng([seed, stratum]) over the stratum's answers in id order",
        "settings": {"n": n, "by": list(sample.by), "seed": sample.seed, "seed_given": seed_given},
        "rows": len(sample.frame),
        "strata": [{"group": dict(zip(sample.by, s.values)), "answers": s.answers, "non_answers": s.non_answers,
                    "eligible": s.eligible, "sampled": s.sampled, "whole": s.eligible <= n}
                   for s in sample.strata],
    }
    write_audit_sample(sample.frame, record, out)
    return SampleSummary(sample, out, sidecar, seed_given)


def _sha256(path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kcc-text")
    except PackageNotFoundError:
        return "unknown"


def merge_labels_file(coded_path, labels_path, out_path, *, codebook_path=None, delimiter: str | None = None):
    """Write the final dataset: the coded file with a person's codes wherever one decided (human codes win).

    Returns an `analysis.audit.MergeSummary`. The output format follows the name, as for `code`.
    """
    from .analysis.audit import check_themes, human_rows, merge_human
    from .errors import KccError
    from .io.coded import file_theme_ids, read_coded
    from .io.labels import read_labels
    from .io.outputs import output_format, parse_delimiter, write_coded

    out = check_output_path(out_path, [coded_path, labels_path, codebook_path])
    fmt = output_format(out)
    sep = parse_delimiter(delimiter, fmt)
    codebook = load_codebook(codebook_path) if codebook_path is not None else None
    frame = read_coded(coded_path, require=("id", "themes", "needs_review"))
    labels = read_labels(labels_path, known_themes=codebook.theme_ids if codebook is not None else None)
    if codebook is not None:
        theme_ids = codebook.theme_ids
    else:
        theme_ids = file_theme_ids(frame)
        check_themes(labels, theme_ids, labels_path, hint="; give the codebook to name every theme")
    decisions = human_rows(frame, labels, labels_path=labels_path, coded_path=coded_path)
    try:
        merged, summary = merge_human(frame, decisions, theme_ids)
    except KccError as error:
        if error.path is None:  # a problem of the coded file's columns: name the file
            raise type(error)(error.detail, coded_path, setting=error.setting) from None
        raise
    write_coded(merged, out, fmt, codebook=codebook or _codebook_of(theme_ids), delimiter=sep)
    return summary


def _codebook_of(theme_ids):
    """A stand-in codebook (ids as labels) for writing a file whose codebook was not given."""
    from .codebook.definition import Codebook, Theme

    return Codebook(name="unknown", version="0.0.0", language="nl", themes=tuple(Theme(t, t) for t in theme_ids))


# --- analyses of files ---------------------------------------------------------------------

def shift_file(coded: Path, *, by: str, group_a: str | None, group_b: str | None, question: str | None,
                 labels: Path | None, codebook: Path | None, test: str, correction: str,
                 audit: Path | None = None, include_non_answers: bool = False,
                 ignore_unknown_themes: bool = False):
    """Read the inputs and run the comparison; data errors name the answers (or audit) file."""
    from .errors import KccError
    from .analysis.shift import shift_from_labels, theme_shift
    from .analysis.audit_labels import read_audit
    from .io.coded import read_coded

    frame = read_coded(coded)
    book = None
    if codebook is not None:
        from .codebook.definition import load_codebook

        book = load_codebook(codebook)
    themes = list(book.themes) if book is not None else None
    options = dict(by=by, group_a=group_a, group_b=group_b, question=question, test=test, correction=correction,
                   include_non_answers=include_non_answers,
                   non_answer_phrases=book.non_answers if book is not None else ())
    audit_sets = read_audit(audit, frame, book) if audit is not None else None
    try:
        if labels is not None:
            from .io.keys import keyed_by_question, with_keys
            from .io.labels import label_sets, read_labels

            human = read_labels(labels, known_themes=book.theme_ids if book is not None else None,
                                ignore_unknown_themes=ignore_unknown_themes)
            # Answers of a wide file share their respondent's id: then (id, question) names an answer.
            by_question = keyed_by_question(frame, human)
            sets = label_sets(with_keys(human, by_question, labels))
            result = shift_from_labels(with_keys(frame, by_question, coded), sets, themes, **options)
        else:
            result = theme_shift(frame, themes, audit=audit_sets, **options)
    except KccError as error:
        if error.path is None:
            # The library does not know the file; the user needs it in the message.
            raise type(error)(error.detail, coded) from None
        raise
    if book is not None and labels is None and "codebook" in frame.columns:
        used = sorted({str(v) for v in frame["codebook"]} - {""})
        if used and used != [book.ref]:
            result.warnings.insert(0, f"{coded} was coded with {', '.join(used)}, the labels shown are from "
                                      f"{book.ref}")
    return result


def agreement_files(path_a: str | Path, path_b: str | Path, *, codebook_path: str | Path | None = None,
                    coder_a: str | None = None, coder_b: str | None = None,
                    themes: Iterable[str] | None = None, ignore_unknown_themes: bool = False) -> AgreementResult:
    """Agreement of two files (labels files, or a labels file and a coded output)."""
    from .analysis.agreement import _codes_of, agreement_report, codes_frame
    from .errors import UsageError

    codebook = None
    known = None
    if codebook_path is not None:
        from .codebook.definition import load_codebook

        codebook = load_codebook(codebook_path)
        known = codebook.theme_ids
    from .io.keys import keyed_by_question

    # Answers of a wide file share their respondent's id: then (id, question) names an answer, in both files.
    frame_a = codes_frame(path_a, known, ignore_unknown_themes=ignore_unknown_themes)
    frame_b = codes_frame(path_b, known, ignore_unknown_themes=ignore_unknown_themes)
    by_question = keyed_by_question(frame_a, frame_b)
    a = _codes_of(Path(path_a), frame_a, coder_a, by_question)
    b = _codes_of(Path(path_b), frame_b, coder_b, by_question)
    if themes is not None:
        themes = list(themes)
        available = codebook.theme_ids if codebook is not None else sorted(
            set().union(*a.sets.values(), *b.sets.values()))
        unknown = [t for t in themes if t not in available]
        if unknown:
            raise UsageError(f"unknown theme '{unknown[0]}' (themes: {', '.join(available)})")
    return agreement_report(a, b, themes, codebook=codebook)


def review_files(coded_path: str | Path, labels_path: str | Path, *, model_path: str | Path | None = None,
                 ignore_unknown_themes: bool = False, **options) -> ReviewResult:
    """Read a coded output and a labels file and review their disagreements (see `review`).

    With the model that coded the file, the result says how many reviewed answers it was trained on.
    """
    from .analysis.review import coded_themes, review
    from .errors import InputFileError
    from .io.keys import keyed_by_question, with_keys
    from .io.labels import read_labels
    from .io.coded import read_coded

    coded = read_coded(coded_path)
    for column in ("id", "themes"):
        if column not in coded.columns:
            raise InputFileError(f"missing column '{column}' (is this a coded output of `kcc-text code`?)",
                                 coded_path)
    labels = read_labels(labels_path, coded_themes(coded), ignore_unknown_themes=ignore_unknown_themes,
                         known_from="the coded output")
    # Answers of a wide file share their respondent's id: then (id, question) names an answer.
    by_question = keyed_by_question(coded, labels)
    coded, labels = with_keys(coded, by_question, coded_path), with_keys(labels, by_question, labels_path)
    if model_path is not None:
        from .model.persistence import read_card

        options["training_ids"] = read_card(model_path).get("training_data", {}).get("ids", [])
    return review(coded, labels, coded_path=coded_path, labels_path=labels_path, **options)


def discover_file(coded_path: str | Path, *, codebook_path: str | Path | None = None, **options) -> DiscoverResult:
    from .analysis.discover import discover
    from .io.coded import read_coded

    codebook = None
    if codebook_path is not None:
        from .codebook.definition import load_codebook

        codebook = load_codebook(codebook_path)
    return discover(read_coded(coded_path), codebook=codebook, path=coded_path, **options)
