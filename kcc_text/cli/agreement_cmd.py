"""`kcc-text agreement`: how far two codings of the same answers agree, per theme and overall."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from .common import console, err_console, guard
from .options import IgnoreUnknownThemes


class AgreementFormat(str, enum.Enum):
    table = "table"
    csv = "csv"
    json = "json"


@guard
def agreement(
    labels_a: Annotated[Path, typer.Argument(help="Labels file of the first coder.")],
    labels_b: Annotated[Path, typer.Argument(
        help="Labels file of the second coder, or a coded output (from `code`) to measure the machine.")],
    fmt: Annotated[AgreementFormat, typer.Option("--format", "-f", help="Output format.")] = AgreementFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the report to this file.")] = None,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", "-c", help="Codebook: report all its themes, check theme ids, and judge a theme "
                                 "limited to some questions only on answers to those questions.")
    ] = None,
    coder_a: Annotated[str | None, typer.Option(
        "--coder-a", help="Use only this coder's codes from LABELS_A.")] = None,
    coder_b: Annotated[str | None, typer.Option(
        "--coder-b", help="Use only this coder's codes from LABELS_B.")] = None,
    theme: Annotated[list[str] | None, typer.Option(
        "--theme", "-t", help="Report only this theme (repeatable).")] = None,
    ignore_unknown_themes: IgnoreUnknownThemes = False,
) -> None:
    """Percent agreement, Cohen's kappa and Krippendorff's alpha per theme and overall (row ALL)."""
    from ..jobs import agreement_files
    from ..io.writing import check_output_path

    if out is not None:
        check_output_path(out, [labels_a, labels_b, codebook])
    result = agreement_files(labels_a, labels_b, codebook_path=codebook, coder_a=coder_a, coder_b=coder_b,
                             themes=theme or None, ignore_unknown_themes=ignore_unknown_themes)
    for note in result.notes:
        err_console.print(f"note: {note}", markup=False)
    if fmt is AgreementFormat.table:
        from ..render.agreement import agreement_view

        if out is None:
            console.print(agreement_view(result))
            return
        text = _plain(agreement_view(result))
    elif fmt is AgreementFormat.csv:
        text = result.to_frame().to_csv(index=False, lineterminator="\n")
    else:
        import json

        text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    from ..io.writing import write_text_atomic

    write_text_atomic(out, text)
    err_console.print(f"Wrote {out}", markup=False)


def _plain(renderable) -> str:
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=100, force_terminal=False, color_system=None).print(renderable)
    return buffer.getvalue()
