"""Options several commands share, written once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

IdCol = Annotated[str, typer.Option("--id-col", help="Column holding the answer id.")]
TextCol = Annotated[str, typer.Option("--text-col", help="Column holding the answer text.")]
WaveCol = Annotated[str, typer.Option("--wave-col", help="Column holding the survey wave.")]
QuestionCol = Annotated[str, typer.Option("--question-col", help="Column holding the question key.")]
CodebookOpt = Annotated[Path, typer.Option("--codebook", "-c", help="Codebook YAML file.")]
SpacyModel = Annotated[str | None, typer.Option(
    "--spacy-model", help="Installed spaCy model to use instead of the embedded Dutch pipeline "
                          "(e.g. nl_core_news_md).")]
IgnoreUnknownThemes = Annotated[bool, typer.Option(
    "--ignore-unknown-themes", help="Leave out label rows whose theme is not in the codebook (and say how "
                                    "many) instead of stopping with an error that lists them.")]
ModelOpt = Annotated[Path | None, typer.Option("--model", "-m", help="Trained model file (from `train`).")]


def column_map(id_col: str, text_col: str, wave_col: str, question_col: str):
    from ..io.answers import ColumnMap

    return ColumnMap(id=id_col, text=text_col, wave=wave_col, question=question_col)
