"""Options several commands share, written once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

IdCol = Annotated[str, typer.Option("--id-col", help="Column holding the answer id (kept under its own name "
                                                     "too).")]
TextCol = Annotated[str, typer.Option("--text-col", help="Column holding the answer text.")]  # one column only
TextCols = Annotated[list[str] | None, typer.Option(
    "--text-col", help="Column holding the answer text (default: text). COLUMN=QUESTION, repeatable: a wide "
                       "file with one column per open question; each column is coded as answers to its "
                       "question.")]
WaveCol = Annotated[str, typer.Option("--wave-col", help="Column holding the survey wave.")]
QuestionCol = Annotated[str, typer.Option("--question-col", help="Column holding the question key.")]
QuestionKey = Annotated[str | None, typer.Option(
    "--question", help="Question key of every answer, for a file without a question column.")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Sheet of an XLSX workbook (default: the first).")]
HeaderRow = Annotated[int, typer.Option(
    "--header-row", help="Row holding the column names (1 = the first); rows above it are left out.")]
SkipRows = Annotated[int | None, typer.Option(
    "--skip-rows", help="Rows under the header that are not answers (default: 0, or the 2 extra rows of a "
                        "Qualtrics export, recognised by itself).")]
CodebookOpt = Annotated[Path, typer.Option("--codebook", "-c", help="Codebook YAML file.")]
SpacyModel = Annotated[str | None, typer.Option(
    "--spacy-model", help="Installed spaCy model to use instead of the embedded Dutch pipeline "
                          "(e.g. nl_core_news_md).")]
IgnoreUnknownThemes = Annotated[bool, typer.Option(
    "--ignore-unknown-themes", help="Leave out label rows whose theme is not in the codebook (and say how "
                                    "many) instead of stopping with an error that lists them.")]
ModelOpt = Annotated[Path | None, typer.Option("--model", "-m", help="Trained model file (from `train`).")]
AllowCodebookChange = Annotated[bool, typer.Option(
    "--allow-codebook-change", help="Use the model with a codebook whose themes changed since training "
                                    "(added, removed or redefined); new themes are then found by their "
                                    "patterns alone. Wording and pattern changes are accepted without it.")]


def column_map(id_col: str, text_col: str, wave_col: str, question_col: str):
    """The older, long-files-only column options (prefer `answer_options`)."""
    from ..io.answers import ColumnMap

    return ColumnMap(id=id_col, text=text_col, wave=wave_col, question=question_col)


def answer_options(id_col: str = "id", text_col: list[str] | None = None, wave_col: str = "wave",
                   question_col: str = "question", question: str | None = None, sheet: str | None = None,
                   header_row: int = 1, skip_rows: int | None = None):
    """The shared answer-file options of `code`, `train`, `evaluate` and `annotate`, as one value."""
    from ..io.corpus import AnswerOptions
    from ..io.tables import TableOptions

    return AnswerOptions(id=id_col, text=tuple(text_col or ("text",)), wave=wave_col, question=question_col,
                         question_key=question,
                         table=TableOptions(sheet=sheet, header_row=header_row, skip_rows=skip_rows))
