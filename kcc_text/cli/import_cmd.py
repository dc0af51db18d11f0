"""`kcc-text import-codes`: the codings of a REFI-QDA project coded elsewhere, as a labels file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, err_console, guard
from .options import CodebookOpt


@guard
def import_codes(
    project: Annotated[Path, typer.Argument(help="REFI-QDA project (.qdpx) from QualCoder, ATLAS.ti, MAXQDA, "
                                                 "NVivo or `kcc-text export`.")],
    codebook: CodebookOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="Labels CSV to write (id, theme, coder, coded_at, "
                                                          "wave, question).")],
    add_unknown: Annotated[bool, typer.Option(
        "--add-unknown", help="Keep codes that are not in the codebook, as new theme ids made from their "
                              "names (add those themes to the codebook before using the labels).")] = False,
    only_human: Annotated[bool, typer.Option(
        "--only-human", help="Leave out the codes of the user kcc-text (machine codes from `export`).")] = False,
    validate: Annotated[bool, typer.Option(
        "--validate/--no-validate", help="Check the project against the REFI-QDA schema first; "
                                         "--no-validate reads what it can of a project that breaks it.")] = True,
) -> None:
    """Read the codings of a REFI-QDA project into the labels format, matching code names to
    theme ids or labels."""
    from ..codebook.definition import load_codebook
    from ..io.writing import check_output_path, write_csv_atomic
    from ..io.refi_qda import MACHINE_USER, import_codings

    check_output_path(out, [project, codebook])
    cb = load_codebook(codebook)
    labels, unknown = import_codings(project, cb, add_unknown=add_unknown, validate=validate)
    machine = labels["coder"] == MACHINE_USER
    if only_human:
        labels = labels[~machine]
    if unknown:
        names = ", ".join(unknown)
        if add_unknown:
            new = sorted(set(labels["theme"]) - set(cb.theme_ids) - {""})
            err_console.print(f"warning: {len(unknown)} codes are not in {cb.ref}: {names}; their codes have the "
                              f"new theme ids {', '.join(new)}: add those themes to the codebook",
                              markup=False, highlight=False, soft_wrap=True)
        else:
            err_console.print(f"warning: {len(unknown)} codes are not in {cb.ref} and were left out: {names} "
                              f"(--add-unknown keeps them)", markup=False, highlight=False, soft_wrap=True)
    write_csv_atomic(labels, out)
    counts = labels.groupby("coder", sort=False)["id"].nunique()
    by = ", ".join(f"{coder or '(no user)'} {n}" for coder, n in counts.items())
    note = "" if only_human or not machine.any() else f"; answers coded by {MACHINE_USER} are machine codes"
    console.print(f"Imported {len(labels)} codes of {labels['id'].nunique()} answers (answers per coder: "
                  f"{by or 'none'}){note} -> {out}", highlight=False, soft_wrap=True, markup=False)
