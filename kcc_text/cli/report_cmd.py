"""`kcc-text report`: one self-contained HTML report of a coded file (charts, shift, examples, provenance)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, err_console, guard
from .options import CodebookOpt, ModelOpt


@guard
def report(
    coded: Annotated[Path, typer.Argument(help="Coded answers (the CSV from `kcc-text code`).")],
    codebook: CodebookOpt,
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write (.html).")],
    model: ModelOpt = None,
    audit: Annotated[Path | None, typer.Option(
        "--audit", help="Labels file of an audit (human codes of a simple random sample of the coded answers): "
                        "the report shows how well the codes agree with them, and the shares and shifts "
                        "corrected for the coding errors (prediction-powered inference).")] = None,
    examples: Annotated[int, typer.Option(
        "--examples", help="Example answers per theme (0: none, e.g. when answers may not leave the team).",
        min=0)] = 3,
    pseudonymise: Annotated[bool, typer.Option(
        "--pseudonymise/--no-pseudonymise", help="Replace names, phone numbers, e-mail addresses ... in the "
                                                 "example answers by tags such as [PERSOON-1] (default).")] = True,
) -> None:
    """Write a self-contained HTML report: theme shares per wave, the shift with its method, examples, codebook."""
    from ..report import report_from_files

    safe = None
    if pseudonymise:
        from ..privacy.coded import LazyPseudonymise

        safe = LazyPseudonymise(codebook)
    data = report_from_files(coded, codebook, out, model_path=model, audit_path=audit,
                             examples_per_theme=examples, pseudonymise=safe)
    n_q = len(data.sections)
    console.print(f"Report of {data.n_answers} answers ({n_q} question{'s' if n_q != 1 else ''}, "
                  f"waves {', '.join(data.waves) or '-'}) -> {out}", highlight=False, soft_wrap=True, markup=False)
    if data.audit is not None:
        corrected = len({row.get("question") for row in data.audit.get("estimates") or []})
        skipped = data.audit.get("not_corrected") or {}
        line = f"Audit: {data.audit.get('n_audited', 0)} answers audited; shares corrected for {corrected} question(s)"
        console.print(line + (f", not for {len(skipped)}" if skipped else "") + ".", highlight=False,
                      soft_wrap=True, markup=False)
        for question, reason in skipped.items():
            err_console.print(f"warning: {question or 'all answers'}: not corrected by the audit: {reason}",
                              markup=False)
