"""`kcc-text code`: code a corpus file with a codebook (and optionally a trained model)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard, notice
from .progress import progress_factory
from .options import (CodebookOpt, HeaderRow, IdCol, ModelOpt, QuestionCol, QuestionKey, SheetOpt, SkipRows,
                      SpacyModel, TextCols, WaveCol, answer_options)


@guard
def code(
    corpus: Annotated[Path, typer.Argument(help="Answers: CSV (any of UTF-8, Windows-1252, UTF-16), XLSX or "
                                                "SPSS .sav with id and text columns.")],
    codebook: CodebookOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Coded file to write: .csv, .xlsx or .sav.")],
    model: ModelOpt = None,
    target_precision: Annotated[float | None, typer.Option(
        "--target-precision", help="Code automatically only answers whose theme set is right with at "
                                   "least this probability, as measured on held-out folds at training "
                                   "time (needs --model; default 0.9 with a model); the rest get "
                                   "needs_review=1.")] = None,
    wide: Annotated[bool, typer.Option(
        "--wide", help="One row per respondent with <question>__<theme> 0/1 columns, instead of one row per "
                       "answer.")] = False,
    delimiter: Annotated[str | None, typer.Option(
        "--delimiter", help="Delimiter of a .csv output: , (default) ; tab or |. Excel with Dutch settings "
                            "opens ; files directly.")] = None,
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
        on_notice=notice, workers=workers,
    )
    if quiet:
        return
    rows = f", {summary.n_rows} respondents" if wide else ""
    console.print(f"Coded {summary.n_answers} answers with {summary.codebook_ref} "
                  f"({summary.n_with_theme} with a theme, {summary.n_review} to review{rows}) -> {out}",
                  highlight=False, soft_wrap=True)
