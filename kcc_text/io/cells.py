"""Cells of a table as text: missing values (None, NaN, pandas NA) are empty."""

from __future__ import annotations


def cell_text(value: object) -> str:
    """A cell as stripped text; missing values (None, NaN, pandas NA) are empty."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except TypeError:  # pandas NA refuses to be a bool
        return ""
    return str(value).strip()
