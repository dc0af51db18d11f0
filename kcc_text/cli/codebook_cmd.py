"""`kcc-text codebook validate | show | diff`: check, read and compare codebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .common import console, guard

app = typer.Typer(help="Validate, show and compare codebooks.", no_args_is_help=True)

CodebookArg = Annotated[Path, typer.Argument(help="Codebook YAML file.")]


@app.command("validate")
@guard
def validate(codebook: CodebookArg) -> None:
    """Check a codebook: YAML, fields, theme ids and every pattern (compiled with the Dutch pipeline)."""
    from ..codebook.definition import load_codebook
    from ..nlp.pipeline import load_pipeline
    from ..rules import RuleMatcher

    cb = load_codebook(codebook)
    RuleMatcher(cb, load_pipeline())  # compiling catches what parsing alone cannot
    n_patterns = sum(len(t.patterns) for t in cb.themes)
    console.print(f"{codebook}: valid codebook {cb.ref} (hash {cb.hash}), {len(cb.themes)} themes, "
                  f"{n_patterns} patterns", highlight=False, soft_wrap=True)


@app.command("show")
@guard
def show(
    codebook: CodebookArg,
    theme: Annotated[str | None, typer.Option("--theme", "-t", help="Show one theme in full.")] = None,
    patterns: Annotated[bool, typer.Option("--patterns", help="List every pattern.")] = False,
) -> None:
    """Show a codebook's themes (or one theme in full)."""
    from ..codebook.definition import load_codebook
    from ..render.codebook import codebook_table, theme_detail

    cb = load_codebook(codebook)
    if theme is not None:
        if theme not in cb.theme_ids:
            raise UsageError(f"theme '{theme}' is not in {cb.ref} (themes: {', '.join(cb.theme_ids)})", codebook)
        console.print(theme_detail(cb, theme))
    else:
        console.print(codebook_table(cb, patterns=patterns))


@app.command("diff")
@guard
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier codebook.")],
    new: Annotated[Path, typer.Argument(help="The later codebook.")],
) -> None:
    """List added, removed and changed themes and patterns, and the version bump they call for."""
    from ..codebook.definition import load_codebook
    from ..codebook.diff import diff_codebooks
    from ..render.codebook import diff_view

    result = diff_codebooks(load_codebook(old), load_codebook(new))
    console.print(diff_view(result))
