"""`kcc-text pseudonymise`: a copy of a corpus with names, phone numbers, e-mail addresses ... replaced."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import console, guard
from .options import IdCol, TextCol, column_map


@guard
def pseudonymise(
    corpus: Annotated[Path, typer.Argument(help="Answers: CSV, XLSX or SPSS .sav with id and text columns.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Pseudonymised CSV to write (never the input).")],
    respondent_col: Annotated[str | None, typer.Option(
        "--respondent-col", help="Column identifying the respondent; tags are numbered per respondent "
                                 "(default: respondent_id when present, else the answer id).")] = None,
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", "-c", help="Codebook whose pattern words are never replaced (default: the bundled "
                                 "contact-centre codebook when found).")] = None,
    id_col: IdCol = "id", text_col: TextCol = "text",
) -> None:
    """Replace personal data in the answers by numbered tags such as [PERSOON-1] and report how many."""
    from ..privacy.pseudonymise import pseudonymise_file
    from ..render.privacy import pseudonymise_table

    columns = column_map(id_col, text_col, "wave", "question")
    result = pseudonymise_file(corpus, out, columns=columns, respondent_col=respondent_col, codebook=codebook)
    console.print(pseudonymise_table(result))
