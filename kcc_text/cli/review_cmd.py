"""`kcc-text review`: the answers where the machine and people disagree, per theme."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard
from .options import IgnoreUnknownThemes


@guard
def review(
    coded: Annotated[Path, typer.Argument(help="Coded CSV written by `kcc-text code`.")],
    labels: Annotated[Path, typer.Option("--labels", "-l", help="Labels file with people's codes.")],
    theme: Annotated[list[str] | None, typer.Option("--theme", "-t", help="Only this theme (repeatable).")] = None,
    wave: Annotated[list[str] | None, typer.Option(
        "--wave", help="Only answers of this wave (repeatable).")] = None,
    question: Annotated[list[str] | None, typer.Option(
        "--question", "-q", help="Only answers to this question (repeatable).")] = None,
    limit: Annotated[int, typer.Option(
        "--limit", "-n", help="Answers shown per theme and kind (false positives, false negatives); "
                              "0 shows the summary only.")] = 10,
    coder: Annotated[str | None, typer.Option("--coder", help="Use only this coder's labels.")] = None,
    model: Annotated[Path | None, typer.Option(
        "--model", "-m", help="The model that coded the file: the header then says how many reviewed "
                              "answers it was trained on.")] = None,
    ignore_unknown_themes: IgnoreUnknownThemes = False,
) -> None:
    """Show false positives and false negatives per theme, most confidently wrong first."""
    from ..render.review import review_view
    from ..jobs import review_files

    result = review_files(coded, labels, themes=theme, waves=wave, questions=question, limit=limit, coder=coder,
                          model_path=model, ignore_unknown_themes=ignore_unknown_themes)
    console.print(review_view(result, plain=not console.is_terminal))
