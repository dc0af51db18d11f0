"""`kcc-text shift`: how theme shares differ between groups (waves by default), per question.

With --audit, the numbers are corrected by a random hand-coded sample (prediction-powered inference).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, err_console, guard
from .options import IgnoreUnknownThemes

OUT_FORMATS = {".csv": "csv", ".json": "json", ".md": "md"}


@guard
def shift(
    coded: Annotated[Path, typer.Argument(
        help="Coded answers (the CSV from `kcc-text code`), or with --labels any answers file with an id column.")],
    by: Annotated[str, typer.Option(
        "--by", help="Column whose values form the groups: wave, or any metadata column (e.g. leeftijd).")] = "wave",
    group_from: Annotated[str | None, typer.Option(
        "--from", help="Group a, the baseline (default with two groups: the first in the data; with three or "
                       "more and no --from/--to, every group is reported with a test across all).")] = None,
    group_to: Annotated[str | None, typer.Option(
        "--to", help="Group b, compared with a (default with two groups: the second in the data).")] = None,
    question: Annotated[str | None, typer.Option(
        "--question", "-q", help="Report only this question (default: every question, each on its own).")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="table, csv, json or md (default: table, or taken from the --out suffix).")] = None,
    labels: Annotated[Path | None, typer.Option(
        "--labels", help="Compare human codes from this labels file instead of the `themes` column; "
                         "only coded answers count.")] = None,
    audit: Annotated[Path | None, typer.Option(
        "--audit", help="Labels file of a simple random sample of the coded answers, coded by a person: shares, "
                        "differences, intervals and tests are then corrected for the machine's errors "
                        "(prediction-powered inference).")] = None,
    include_non_answers: Annotated[bool, typer.Option(
        "--include-non-answers", help="Keep non-answers (blank, 'n.v.t.', 'weet niet', ...) in the base of "
                                      "each share; by default they are left out and counted.")] = False,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", "-c", help="Codebook YAML: theme labels and which questions each theme applies to "
                                 "(default: the theme ids found in the data).")] = None,
    test: Annotated[str, typer.Option(
        "--test", help="fisher (Fisher's exact test) or chi2 (Pearson chi-square, no Yates correction).")] = "fisher",
    correction: Annotated[str, typer.Option(
        "--correction", help="Multiple-testing correction over a question's themes: holm, fdr_bh "
                             "(Benjamini-Hochberg) or none.")] = "holm",
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Also draw the shares per group with their intervals to this .png or .svg file.")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the report (csv, json or md) to this file instead of the terminal.")] = None,
    ignore_unknown_themes: IgnoreUnknownThemes = False,
) -> None:
    """Compare theme shares between groups per question: difference in points, 95% interval, corrected test."""
    from ..errors import UsageError

    from ..analysis.shift import check_options

    check_options(test, correction)
    if labels is not None and audit is not None:
        raise UsageError("--labels and --audit do not go together: --labels reports human codes only, --audit "
                         "corrects machine codes with them")
    fmt = _resolve_format(fmt, out)
    inputs = [coded, labels, codebook, audit]
    if out is not None:
        from ..io.writing import check_output_path

        check_output_path(out, inputs)
    if plot is not None:
        from ..io.writing import check_output_path
        from ..analysis.plot import plot_format

        plot_format(plot)
        check_output_path(plot, inputs + [out])
        if out is not None and Path(plot).resolve() == Path(out).resolve():
            raise UsageError("--plot and --out name the same file", plot)

    from ..jobs import shift_file

    result = shift_file(coded, by=by, group_a=group_from, group_b=group_to, question=question, labels=labels,
                          codebook=codebook, test=test, correction=correction, audit=audit,
                          include_non_answers=include_non_answers,
                          ignore_unknown_themes=ignore_unknown_themes)

    if plot is not None:
        from ..analysis.plot import plot_shift

        plot_shift(result, plot)
    if fmt == "table":
        from ..render.shift import render_shift

        for renderable in render_shift(result, warnings=False):
            console.print(renderable)
    else:
        from ..analysis.shift import to_csv, to_json, to_markdown

        text = {"csv": to_csv, "json": to_json, "md": to_markdown}[fmt](result)
        if out is not None:
            from ..io.writing import write_text_atomic

            write_text_atomic(out, text)
        else:
            typer.echo(text, nl=False)
    # On stderr in every format, so that piped csv or json stays clean (json and md also carry them).
    for warning in result.warnings:
        err_console.print(f"warning: {warning}", markup=False)
    if out is not None:
        err_console.print(f"Wrote {out}", markup=False)
    if plot is not None:
        err_console.print(f"Wrote {plot}", markup=False)


def _resolve_format(fmt: str | None, out: Path | None) -> str:
    from ..errors import UsageError

    if fmt is None:
        if out is None:
            return "table"
        suffix = Path(out).suffix.lower()
        if suffix not in OUT_FORMATS:
            raise UsageError(f"cannot tell the format from '{suffix or 'no suffix'}': give --format csv, json or md",
                             out)
        return OUT_FORMATS[suffix]
    fmt = fmt.lower()
    if fmt not in ("table", "csv", "json", "md"):
        raise UsageError(f"unknown --format '{fmt}' (choose table, csv, json or md)")
    if fmt == "table" and out is not None:
        raise UsageError("the table is for the terminal: give --format csv, json or md with --out", out)
    return fmt
