"""`kcc-text discover`: phrases the codebook misses, from answers that got no theme or need review."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from .common import console, err_console, guard
from .options import SpacyModel


class DiscoverFormat(str, enum.Enum):
    table = "table"
    csv = "csv"


@guard
def discover(
    coded: Annotated[Path, typer.Argument(help="Coded CSV written by `kcc-text code`.")],
    top: Annotated[int, typer.Option("--top", help="How many phrases to show.")] = 20,
    min_count: Annotated[int, typer.Option(
        "--min-count", help="Minimum number of answers containing a phrase.")] = 2,
    ngram: Annotated[int, typer.Option("--ngram", help="Longest phrase, in words (1-5).")] = 3,
    question: Annotated[list[str] | None, typer.Option(
        "--question", "-q", help="Only answers to this question (repeatable).")] = None,
    wave: Annotated[list[str] | None, typer.Option(
        "--wave", help="Only answers of this wave (repeatable).")] = None,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", "-c", help="Leave out phrases this codebook's patterns already match.")] = None,
    fmt: Annotated[DiscoverFormat, typer.Option("--format", "-f", help="Output format.")] = DiscoverFormat.table,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the CSV to this file (with --format csv).")] = None,
    spacy_model: SpacyModel = None,
) -> None:
    """Frequent lemma n-grams in answers without a theme or needing review, with example answers."""
    from ..analysis.discover import result_frame
    from ..jobs import discover_file
    from ..errors import UsageError
    from ..io.writing import check_output_path, write_csv_atomic

    if out is not None:
        if fmt is not DiscoverFormat.csv:
            raise UsageError("--out writes CSV: add --format csv")
        check_output_path(out, [coded, codebook])
    result = discover_file(coded, codebook_path=codebook, top=top, min_count=min_count, max_n=ngram,
                           questions=question, waves=wave, spacy_model=spacy_model)
    if fmt is DiscoverFormat.table:
        from ..render.discover import discover_view

        console.print(discover_view(result))
        return
    frame = result_frame(result)
    if out is None:
        from ..io.writing import defuse_formula

        for column in frame.columns:
            frame[column] = frame[column].map(defuse_formula)
        typer.echo(frame.to_csv(index=False, lineterminator="\n"), nl=False)
        return
    write_csv_atomic(frame, out)
    err_console.print(f"Wrote {out}", markup=False)
