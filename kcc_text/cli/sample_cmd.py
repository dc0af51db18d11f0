"""`kcc-text sample`: draw a simple random sample of coded answers for a person to code blind (an audit)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard, notice


@guard
def sample(
    coded: Annotated[Path, typer.Argument(help="Coded answers (from `kcc-text code`, without --audit).")],
    n: Annotated[int, typer.Option("--n", "-n", help="Answers to draw from each group.")],
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Audit sample to write (.csv, corpus format, no machine codes); its record goes "
                            "beside it as <name>.json.")],
    by: Annotated[list[str] | None, typer.Option(
        "--by", help="Column whose values form the groups (repeatable; default: wave and question, as far as "
                     "the file has them).")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", help="Seed of the random draw: the same seed and file give the same sample (default: a new "
                       "seed, printed and recorded).")] = None,
) -> None:
    """Draw N answers at random from each group of a coded file, to be coded blind by a person (an audit)."""
    from ..jobs import sample_coded_file
    from ..render.audit import sample_table, whole_notes

    summary = sample_coded_file(coded, out, n=n, by=by, seed=seed)
    drawn = summary.sample
    for note in whole_notes(drawn):
        notice(note)
    if not summary.seed_given:
        notice(f"drawn with seed {drawn.seed}; give --seed {drawn.seed} to draw the same sample again")
    console.print(sample_table(drawn))
    console.print(f"Drew {len(drawn.frame)} answers from {len(drawn.strata)} group(s) of {coded} (seed {drawn.seed}) "
                  f"-> {summary.out}, {summary.sidecar}", highlight=False, soft_wrap=True, markup=False)
