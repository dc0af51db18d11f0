"""`kcc-text export`: a coded file as a REFI-QDA project for QualCoder, ATLAS.ti, MAXQDA or NVivo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard
from .options import CodebookOpt


@guard
def export(
    coded: Annotated[Path, typer.Argument(help="Coded file (from `code`, `merge` or `code --audit`).")],
    codebook: CodebookOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="REFI-QDA project to write (.qdpx).")],
    project_name: Annotated[str | None, typer.Option(
        "--project-name", help="Project name shown in the QDA program (default: the file name).")] = None,
    coder: Annotated[str | None, typer.Option(
        "--coder", help="Who will code the project in the QDA program: listed as its first user "
                        "(default: the first human coder in the file, else 'coder').")] = None,
    case_col: Annotated[str | None, typer.Option(
        "--case-col", help="Column naming the respondent, whose metadata become case variables "
                           "(default: respondent_id when present, else id).")] = None,
) -> None:
    """Write coded answers as a REFI-QDA project: one document per answer, themes as codes,
    machine codes under the user kcc-text and human codes under their coder."""
    from ..codebook.definition import load_codebook
    from ..errors import UsageError
    from ..io.writing import check_output_path
    from ..io.refi_qda import MACHINE_USER, export_project

    check_output_path(out, [coded, codebook])
    if out.suffix.lower() != ".qdpx":
        raise UsageError("a REFI-QDA project needs the extension .qdpx", out)
    summary = export_project(coded, load_codebook(codebook), out, project_name=project_name, coder=coder,
                             case_col=case_col)
    people = sum(summary.human_codings.values())
    by = ", ".join(f"{name} {n}" for name, n in summary.human_codings.items())
    console.print(f"Exported {summary.answers} answers as documents with {summary.codes} codes, "
                  f"{summary.machine_codings} machine codings (user {MACHINE_USER}) and {people} human codings"
                  f"{f' ({by})' if by else ''}, {summary.cases} cases, {summary.variables} variables -> {out}",
                  highlight=False, soft_wrap=True, markup=False)
