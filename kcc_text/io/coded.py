"""Reading a coded file (the output of `code`, `merge` or `--audit`) back, as it was before writing.

Coded CSVs protect spreadsheet users by prefixing `'` to cells that start like a formula
(`files.defuse_formula`). A program reading the file back wants the respondent's own words,
so that prefix is taken off again, but only where writing could have put it there.
"""

from __future__ import annotations

from pathlib import Path

from ..corpus import read_table
from ..errors import InputFileError
from ..files import FORMULA_PREFIXES


def restore_defused(value: object) -> object:
    """Undo `files.defuse_formula`: `'=SUM(A1)` becomes `=SUM(A1)`; `'t Is leuk` stays as it is."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def read_coded(path: str | Path):
    """A coded file as a DataFrame of strings, cells as the respondent wrote them.

    Needs `id`, `text` and `themes` (theme ids joined by `;`); every other column is kept.
    """
    path = Path(path)
    frame = read_table(path)
    for column in ("id", "text", "themes"):
        if column not in frame.columns:
            hint = " (a coded file comes from `kcc-text code`)" if column == "themes" else ""
            raise InputFileError(f"missing column '{column}'{hint}", path)
    return frame.map(restore_defused)
