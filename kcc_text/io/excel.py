"""XLSX output: numbers as numbers, text that can never run as a formula, a frozen header, the codebook beside it.

A text cell is stored as a string cell (never as a formula, whatever it starts with) and,
when it starts with a formula character, with Excel's own "quote prefix" style: the cell
shows the text exactly, without an added apostrophe, and stays text when someone edits it.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import OutputPathError
from .spss import numeric_column
from .writing import FORMULA_PREFIXES, atomic_writer

MAX_CELL = 32_767  # Excel's limit on the characters in one cell


def write_xlsx(frame, path: str | Path, *, codebook=None, meta=None, sheet: str = "coded") -> None:
    """Write `frame` (and the codebook on a second sheet) as an XLSX workbook, atomically.

    The workbook is written row by row (openpyxl's write-only mode), so memory does not hold
    a cell object per value.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(sheet)
    source_kind = getattr(meta, "kind", None)
    numeric = []
    for column in frame.columns:
        source_numeric = None
        if source_kind == "sav" and column in meta.columns:
            source_numeric = column in meta.numeric
        numeric.append(numeric_column(frame[column], source_numeric=source_numeric))
    _header(data, [str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        data.append([_cell(data, value, as_number) for value, as_number in zip(row, numeric)])
    if codebook is not None:
        book = workbook.create_sheet("codebook")
        _header(book, ["id", "label", "description", "questions"])
        for theme in codebook.themes:
            questions = "; ".join(sorted(theme.questions)) if theme.questions is not None else ""
            book.append([_cell(book, value, False) for value in (theme.id, theme.label, theme.description,
                                                                   questions)])
    try:
        with atomic_writer(path, "wb") as fh:
            workbook.save(fh)
    except OSError as error:
        raise OutputPathError(f"cannot be written ({error.strerror or error})", path) from None


def _header(sheet, names) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for name in names:
        cell = _cell(sheet, name, False)
        cell.font = bold
        cells.append(cell)
    sheet.freeze_panes = "A2"
    sheet.append(cells)


def _cell(sheet, value, as_number: bool):
    """A number, None for an empty cell, or a text cell that cannot become a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    if as_number:
        number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else float(value)
        if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number
    # XML cannot hold most control characters; Excel cannot hold more than 32,767 in a cell.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL]
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True
    return cell
