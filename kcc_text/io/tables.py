"""A researcher's table as the survey tool wrote it: which sheet, which row holds the names, which rows are not answers.

Survey tools put more than answers in a file. Qualtrics writes the question texts and the
import ids as two rows under the header; a workbook has several sheets; Excel's and SPSS's
"Unicode text" is UTF-16; an SPSS file keeps variable and value labels beside the data.
This module reads the rows of answers as strings (codes, not value labels, for SPSS) and
keeps in `SourceMeta` what an output needs to give the labels back.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputFileError, UsageError

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
QUALTRICS_ROWS = 2  # question texts, then {"ImportId": ...}


@dataclass(frozen=True)
class TableOptions:
    """Where the answers are in a file: `--sheet`, `--header-row`, `--skip-rows`."""

    sheet: str | None = None
    header_row: int = 1  # the row holding the column names (1 = first row)
    skip_rows: int | None = None  # rows under the header that are not answers; None: Qualtrics's, when recognised

    def check(self) -> None:
        if self.header_row < 1:
            raise UsageError(f"counts from 1 (got {self.header_row})", setting="header_row")
        if self.skip_rows is not None and self.skip_rows < 0:
            raise UsageError(f"must be 0 or more (got {self.skip_rows})", setting="skip_rows")


@dataclass
class SourceMeta:
    """What the source file says about its columns besides their values."""

    kind: str  # "csv", "xlsx" or "sav"
    columns: list[str] = field(default_factory=list)
    variable_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> {code as text: label}
    numeric: set[str] = field(default_factory=set)  # columns an SPSS source stores as numbers
    missing_ranges: dict[str, list] = field(default_factory=dict)
    measure: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    first_line: int = 2  # the file line of the first answer row, for messages

    def labelled(self, column: str, values):
        """The values of `column` with their value labels (codes without a label stay as they are)."""
        labels = self.value_labels.get(column)
        if not labels:
            return values
        return values.map(lambda v: labels.get(v, v))


@dataclass
class Table:
    """An opened table: its metadata, and its rows as DataFrames of strings (in chunks for CSV)."""

    path: Path
    meta: SourceMeta
    chunks: Iterator


def file_kind(path: Path) -> str:
    """'xlsx', 'sav', 'csv' or 'utf16' (a UTF-16 text file with a byte-order mark)."""
    from .answers import _check_file

    if path.is_file() and path.suffix.lower() not in (".xlsx", ".xlsm", ".sav"):
        with path.open("rb") as fh:
            head = fh.read(4)
        if head.startswith(UTF16_BOMS) and len(head) > 2:
            return "utf16"
    return _check_file(path)


def open_table(path: str | Path, options: TableOptions = TableOptions(), chunk_size: int | None = None) -> Table:
    """Open a CSV, UTF-16 text, XLSX or SPSS file; the rows come as strings, the header and extra rows left out."""
    path = Path(path)
    options.check()
    try:
        kind = file_kind(path)
        if options.sheet is not None and kind != "xlsx":
            raise UsageError(f"is for XLSX workbooks, and {path.name} is not one", path, setting="sheet")
        if kind == "sav":
            return _sav_table(path, options)
        if kind == "xlsx":
            return _xlsx_table(path, options)
        return _csv_table(path, options, kind, chunk_size)
    except PermissionError:
        raise InputFileError("cannot be read (permission denied)", path) from None


def read_whole(path: str | Path, options: TableOptions = TableOptions()):
    """The whole table as one frame of strings, and its metadata."""
    import pandas as pd

    table = open_table(path, options)
    frames = list(table.chunks)
    return (frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)), table.meta


# --- CSV and UTF-16 text -----------------------------------------------------------------------


def _sniff_utf16(path: Path) -> tuple[str, str]:
    from .answers import DELIMITERS

    decoder = codecs.getincrementaldecoder("utf-16")()
    try:
        with path.open("rb") as fh:
            while block := fh.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputFileError("starts with a UTF-16 byte-order mark but is not UTF-16 text", path) from None
    with path.open(encoding="utf-16", newline="") as fh:
        sample = "".join(line for _, line in zip(range(50), fh))
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        delimiter = max(DELIMITERS, key=header.count)
    return "utf-16", delimiter


def is_qualtrics(first_rows: list[list[str]]) -> bool:
    """Qualtrics's export: under the header a row of question texts, then a row of {"ImportId": ...}."""
    if len(first_rows) < 3:
        return False
    return any(str(cell).lstrip().startswith('{"ImportId"') for cell in first_rows[2])


def _qualtrics_notice(path: Path) -> str:
    return (f"{path.name}: Qualtrics export recognised; its 2 rows under the header (question texts and "
            "import ids) are not answers and were skipped")


def _question_texts(names, texts) -> dict[str, str]:
    """Qualtrics's question texts, kept as variable labels for an SPSS output."""
    return {str(n).strip(): str(t).strip() for n, t in zip(names, texts)
            if str(t).strip() and str(t).strip() != str(n).strip()}


def _csv_table(path: Path, options: TableOptions, kind: str, chunk_size: int | None) -> Table:
    from .answers import sniff_csv

    encoding, delimiter = _sniff_utf16(path) if kind == "utf16" else sniff_csv(path)
    meta = SourceMeta(kind="csv")
    skip = options.skip_rows or 0
    if options.skip_rows is None and options.header_row == 1:
        try:
            with path.open(encoding=encoding, newline="") as fh:
                first = [row for _, row in zip(range(3), csv.reader(fh, delimiter=delimiter))]
        except csv.Error:  # e.g. an answer beyond csv's field limit: not a Qualtrics header row
            first = []
        if is_qualtrics(first):
            skip = QUALTRICS_ROWS
            meta.notices.append(_qualtrics_notice(path))
            meta.variable_labels = _question_texts(first[0], first[1])
    meta.first_line = options.header_row + skip + 1
    return Table(path, meta, _csv_chunks(path, encoding, delimiter, options.header_row - 1, skip, chunk_size, meta))


def _csv_chunks(path: Path, encoding: str, delimiter: str, above: int, skip: int, chunk_size: int | None,
                meta: SourceMeta):
    import pandas as pd

    from .answers import _as_strings

    handle = path.open(encoding=encoding, newline="")
    try:
        reader = pd.read_csv(handle, sep=delimiter, dtype=str, keep_default_na=False, skiprows=above,
                             chunksize=chunk_size)
        for frame in [reader] if chunk_size is None else reader:
            if skip:
                dropped = min(skip, len(frame))
                frame, skip = frame.iloc[dropped:].reset_index(drop=True), skip - dropped
            frame = _as_strings(frame, path)
            meta.columns = meta.columns or list(frame.columns)
            yield frame
    except pd.errors.ParserError as exc:
        raise InputFileError(f"is not valid CSV ({str(exc).strip().splitlines()[-1]})", path) from None
    except pd.errors.EmptyDataError:
        where = f" at row {above + 1} (--header-row)" if above else ""
        raise InputFileError(f"file has no header row{where}", path) from None
    except UnicodeDecodeError:
        raise InputFileError(f"is not {encoding} text throughout", path) from None
    finally:
        handle.close()


# --- XLSX -------------------------------------------------------------------------------------


def _xlsx_table(path: Path, options: TableOptions) -> Table:
    import pandas as pd

    from .answers import _as_strings

    sheet = options.sheet if options.sheet is not None else 0
    rows = None
    if options.sheet is None:
        from .xlsx_scan import check_first_sheet

        # A sheet formatted far below its data would be walked row by row: stop at the last filled row
        # (at least one row more than needed; blank rows are dropped).
        rows = check_first_sheet(path)
    try:
        frame = pd.read_excel(path, sheet_name=sheet, header=options.header_row - 1, dtype=object,
                              engine="openpyxl", keep_default_na=False, nrows=rows or None)
    except ValueError as exc:
        if options.sheet is not None and "not found" in str(exc):
            raise InputFileError(f"has no sheet '{options.sheet}' (sheets: {', '.join(sheet_names(path))})",
                                 path) from None
        raise InputFileError(f"is not a readable XLSX workbook ({_first_line(exc)})", path) from None
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputFileError(f"is not a readable XLSX workbook ({type(exc).__name__})", path) from None
    meta = SourceMeta(kind="xlsx")
    skip = options.skip_rows or 0
    if options.skip_rows is None and options.header_row == 1 and len(frame) >= 2:
        rows = [list(frame.columns), *frame.iloc[:2].astype(str).values.tolist()]
        if is_qualtrics(rows):
            skip = QUALTRICS_ROWS
            meta.notices.append(_qualtrics_notice(path))
            meta.variable_labels = _question_texts(frame.columns, frame.iloc[0].tolist())
    frame = _as_strings(frame.iloc[skip:].reset_index(drop=True), path)
    meta.columns = list(frame.columns)
    meta.first_line = options.header_row + skip + 1
    return Table(path, meta, iter([frame]))


def sheet_names(path: Path) -> list[str]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- SPSS .sav --------------------------------------------------------------------------------


def _sav_table(path: Path, options: TableOptions) -> Table:
    from .answers import _as_strings, _as_text
    from .spss import names_from_notes

    if options.header_row != 1 or options.skip_rows:
        raise UsageError("header rows and rows to skip are for CSV and XLSX files; an SPSS file has no "
                         "header rows", path)
    try:
        import pyreadstat

        # user_missing=True: a declared missing value such as -99 stays -99, and is declared again on output.
        frame, raw = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise InputFileError(f"is not a readable SPSS .sav file ({type(exc).__name__})", path) from None
    names = names_from_notes(getattr(raw, "notes", None) or [])
    rename = {c: names.get(c, c) for c in frame.columns}
    frame = frame.rename(columns=rename)
    meta = SourceMeta(kind="sav", columns=list(frame.columns), first_line=1)
    meta.variable_labels = {rename[c]: label for c, label in (raw.column_names_to_labels or {}).items()
                            if label and c in rename}
    meta.value_labels = {rename[c]: {_as_text(code): str(label) for code, label in labels.items()}
                         for c, labels in (raw.variable_value_labels or {}).items() if c in rename}
    meta.numeric = {rename[c] for c, kind in (raw.readstat_variable_types or {}).items()
                    if c in rename and kind != "string"}
    meta.missing_ranges = {rename[c]: ranges for c, ranges in (raw.missing_ranges or {}).items() if c in rename}
    meta.measure = {rename[c]: m for c, m in (raw.variable_measure or {}).items()
                    if c in rename and m in ("nominal", "ordinal", "scale")}
    meta.formats = {rename[c]: f for c, f in (raw.original_variable_types or {}).items()
                    if c in rename and rename[c] in meta.numeric}
    return Table(path, meta, iter([_as_strings(frame, path)]))
