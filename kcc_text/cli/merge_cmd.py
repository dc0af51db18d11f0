"""`kcc-text merge`: the final dataset, in which every answer a person coded carries the person's codes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard


@guard
def merge(
    coded: Annotated[Path, typer.Argument(help="Coded answers (from `kcc-text code`).")],
    labels: Annotated[Path, typer.Argument(
        help="People's codes (labels file from annotate, an audit, or corrections); per answer the latest "
             "decision counts.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Final file to write: .csv, .xlsx or .sav.")],
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", "-c", help="Codebook YAML (default: the themes the coded file has columns for).")] = None,
    delimiter: Annotated[str | None, typer.Option(
        "--delimiter", help="Delimiter of a .csv output: , (default) ; tab or |.")] = None,
) -> None:
    """Put people's codes in the place of the machine's: human codes win, `source` says whose codes a row has."""
    from ..jobs import merge_labels_file

    summary = merge_labels_file(coded, labels, out, codebook_path=codebook, delimiter=delimiter)
    by = ", ".join(f"{name or 'unnamed'} {count}" for name, count in summary.coders.items())
    console.print(f"Merged {sum(summary.coders.values())} human decisions ({by}) into {summary.rows} answers: "
                  f"{summary.human} carry a person's codes, {summary.changed} of them differ from the codes "
                  f"{coded} had -> {out}", highlight=False, soft_wrap=True, markup=False)
