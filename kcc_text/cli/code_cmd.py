"""`kcc-text code`: code a corpus file with a codebook (and optionally a trained model)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard, notice
from .options import (AllowCodebookChange, CodebookOpt, HeaderRow, IdCol, ModelOpt, QuestionCol, QuestionKey, SheetOpt, SkipRows,
                      SpacyModel, TextCols, WaveCol, answer_options)
from .progress import progress_factory


@guard
def code(
    corpus: Annotated[Path, typer.Argument(help="Answers: CSV (any of UTF-8, Windows-1252, UTF-16), XLSX or "
                                                "SPSS .sav with id and text columns.")],
    codebook: CodebookOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Coded file to write: .csv, .xlsx or .sav.")],
    model: ModelOpt = None,
    allow_codebook_change: AllowCodebookChange = False,
    target_precision: Annotated[float | None, typer.Option(
        "--target-precision", help="Code automatically only answers whose theme set is right with at "
                                   "least this probability, as measured on held-out folds at training "
                                   "time (needs --model; default 0.9 with a model); the rest get "
                                   "needs_review=1.")] = None,
    audit: Annotated[Path | None, typer.Option(
        "--audit", help="Labels of a random sample of these answers coded by a person (`sample`, then "
                        "`annotate --blind`): the cut-off of --target-precision is then chosen on them, so "
                        "that the auto-coded answers are right at least that often with 95% confidence, and "
                        "the audited answers keep the person's codes (needs --model).")] = None,
    wide: Annotated[bool, typer.Option(
        "--wide", help="One row per respondent with <question>__<theme> 0/1 columns, instead of one row per "
                       "answer.")] = False,
    delimiter: Annotated[str | None, typer.Option(
        "--delimiter", help="Delimiter of a .csv output: , (default) ; tab or |. Excel with Dutch settings "
                            "opens ; files directly.")] = None,
    pseudonymise: Annotated[bool, typer.Option(
        "--pseudonymise", help="Replace names, phone numbers, e-mail addresses ... in the texts and evidence "
                               "written by tags such as [PERSOON-1], after coding (themes are found on the "
                               "original words).")] = False,
    spacy_model: SpacyModel = None,
    id_col: IdCol = "id", text_col: TextCols = None, wave_col: WaveCol = "wave",
    question_col: QuestionCol = "question", question: QuestionKey = None, sheet: SheetOpt = None,
    header_row: HeaderRow = 1, skip_rows: SkipRows = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Processes that code at the same time (default: all cores for files of more than "
                          "20,000 answers, else 1). The output is the same for any number.")] = None,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="No progress bar and no summary line.")] = False,
) -> None:
    """Code open answers into themes and write the coded file (CSV, XLSX or SPSS)."""
    from ..errors import UsageError
    from ..jobs import code_corpus_file

    if target_precision is not None and model is None:
        raise UsageError("--target-precision needs --model: without a trained model there is no estimate "
                         "of how often a code is right")
    options = answer_options(id_col, text_col, wave_col, question_col, question, sheet, header_row, skip_rows)
    summary = code_corpus_file(
        corpus, codebook, out, model_path=model, target_precision=target_precision, spacy_model=spacy_model,
        columns=options, progress=None if quiet else progress_factory("coding"), wide=wide, delimiter=delimiter,
        on_notice=notice, allow_codebook_change=allow_codebook_change, pseudonymise=pseudonymise, audit_path=audit,
        workers=workers,
    )
    rows = f", {summary.n_rows} respondents" if wide else ""
    if not quiet:
        console.print(f"Coded {summary.n_answers} answers with {summary.codebook_ref} "
                      f"({summary.n_with_theme} with a theme, {summary.n_review} to review{rows}) -> {out}",
                      highlight=False, soft_wrap=True)
    if summary.replaced is not None:
        replaced = ", ".join(f"{n} {kind}" for kind, n in summary.replaced.items() if n) or "nothing"
        console.print(f"Pseudonymised the texts written: replaced {replaced}.", highlight=False, soft_wrap=True,
                      markup=False)
    if summary.audit is not None:
        from .common import err_console
        from ..render.audit import certify_table, cutoff_lines, randomness_note

        for line in cutoff_lines(summary.audit):
            console.print(line, highlight=False, soft_wrap=True, markup=False)
        console.print(certify_table(summary.audit))
        warning = randomness_note(summary.audit)
        if warning is not None:
            err_console.print(f"warning: {warning}", markup=False)

