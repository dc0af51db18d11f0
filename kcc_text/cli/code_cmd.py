"""`kcc-text code`: code a corpus file with a codebook (and optionally a trained model)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, err_console, guard, notice
from .options import (AllowCodebookChange, CodebookOpt, HeaderRow, IdCol, ModelOpt, QuestionCol, QuestionKey, SheetOpt, SkipRows,
                      SpacyModel, TextCols, WaveCol, answer_options)


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
        columns=options, progress=_progress_factory(), wide=wide, delimiter=delimiter, on_notice=notice,
        allow_codebook_change=allow_codebook_change,
        pseudonymise=pseudonymise,
    )
    rows = f", {summary.n_rows} respondents" if wide else ""
    console.print(f"Coded {summary.n_answers} answers with {summary.codebook_ref} "
                  f"({summary.n_with_theme} with a theme, {summary.n_review} to review{rows}) -> {out}",
                  highlight=False, soft_wrap=True)
    if summary.replaced is not None:
        replaced = ", ".join(f"{n} {kind}" for kind, n in summary.replaced.items() if n) or "nothing"
        console.print(f"Pseudonymised the texts written: replaced {replaced}.", highlight=False, soft_wrap=True,
                      markup=False)


def _progress_factory():
    """A Rich progress bar on stderr, or nothing when stderr is not a terminal."""
    if not err_console.is_terminal:
        return None
    import contextlib

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    @contextlib.contextmanager
    def bar():
        with Progress("coding", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True) as progress:
            task = progress.add_task("coding", total=None)
            yield lambda n: progress.advance(task, n)

    return bar
