"""`kcc-text demo`: the main job on the bundled corpus, spring -> autumn 2020."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard


@guard
def demo(
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="Folder holding codebooks/ and corpus/ (default: this checkout).")] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out-dir", help="Also write the coded corpus, model and shift reports here.")] = None,
) -> None:
    """Code the bundled 2020 corpus and print the theme shifts of both questions, spring -> autumn."""
    from ..bundled import find_bundled
    from ..demo import run_demo
    from ..render.demo import demo_renderables

    result = run_demo(find_bundled(data_dir), out_dir=out_dir)
    for renderable in demo_renderables(result):
        console.print(renderable)
