"""`kcc-text report`: one self-contained HTML report of a coded file (charts, shift, examples, provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard
from .options import CodebookOpt, ModelOpt


@guard
def report(
    coded: Annotated[Path, typer.Argument(help="Coded answers (the CSV from `kcc-text code`).")],
    codebook: CodebookOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write (.html).")],
    model: ModelOpt = None,
    audit: Annotated[Path | None, typer.Option(
        "--audit", help="Labels file of an audit (human codes of a sample of the coded answers): the report "
                        "shows how many answers were audited and how well the codes agree with them.")] = None,
    examples: Annotated[int, typer.Option(
        "--examples", help="Example answers per theme (0: none, e.g. when answers may not leave the team).",
        min=0)] = 3,
) -> None:
    """Write a self-contained HTML report: theme shares per wave, the shift with its method, examples, codebook."""
    from ..report import report_from_files

    data = report_from_files(coded, codebook, out, model_path=model, audit_path=audit,
                             examples_per_theme=examples)
    n_q = len(data.sections)
    console.print(f"Report of {data.n_answers} answers ({n_q} question{'s' if n_q != 1 else ''}, "
                  f"waves {', '.join(data.waves) or '-'}) -> {out}", highlight=False, soft_wrap=True, markup=False)
