"""`kcc-text codebook validate | show | diff | export | import`: check, read, compare and exchange codebooks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from .common import console, guard

app = typer.Typer(help="Validate, show, compare, export and import codebooks.", no_args_is_help=True)

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
    """List added, removed and changed themes and patterns, and the version bump they call for.

    Exits 1 when the new version number is lower than the change calls for."""
    from ..codebook.definition import load_codebook
    from ..codebook.diff import diff_codebooks
    from ..render.codebook import diff_view

    result = diff_codebooks(load_codebook(old), load_codebook(new))
    console.print(diff_view(result))
    if not result.version_ok:
        # Like `diff` itself: 1 says "differences that need attention", scriptable in a release check.
        raise typer.Exit(1)


@app.command("export")
@guard
def export(
    codebook: CodebookArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="REFI-QDA codebook to write (.qdc).")],
) -> None:
    """Write a codebook as a REFI-QDA codebook (.qdc) for QualCoder, ATLAS.ti, MAXQDA or NVivo."""
    from ..codebook.definition import load_codebook
    from ..io.writing import check_output_path
    from ..io.refi_qda import export_codebook

    check_output_path(out, [codebook])
    if out.suffix.lower() != ".qdc":
        raise UsageError("a REFI-QDA codebook needs the extension .qdc", out)
    cb = load_codebook(codebook)
    export_codebook(cb, out)
    console.print(f"Exported {cb.ref} as {len(cb.themes)} codes (patterns stay in the YAML) -> {out}",
                  highlight=False, soft_wrap=True, markup=False)


@app.command("import")
@guard
def import_(
    qdc: Annotated[Path, typer.Argument(help="REFI-QDA codebook (.qdc).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Codebook YAML to write.")],
) -> None:
    """Make a kcc-text codebook (YAML, without patterns) from a REFI-QDA codebook (.qdc)."""
    from ..codebook.definition import parse_codebook
    from ..io.writing import check_output_path, write_text_atomic
    from ..io.refi_qda import import_codebook

    check_output_path(out, [qdc])
    text = import_codebook(qdc)
    write_text_atomic(out, text)
    cb = parse_codebook(text, out)
    console.print(f"Imported {len(cb.themes)} themes as {cb.ref} (no patterns: add them or train a model) -> {out}",
                  highlight=False, soft_wrap=True, markup=False)
