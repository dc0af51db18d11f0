"""Reading answer files (CSV, XLSX, SPSS .sav) into frames with canonical column names.

CSV files are read in chunks (`iter_corpus`), so coding a file of any size needs
memory for one chunk, not for the whole file.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError
from .seen_ids import SeenIds

ENCODINGS = ("utf-8-sig", "cp1252")  # the contract's encodings; utf-8-sig also reads plain UTF-8
DELIMITERS = ",;\t"
_BLOCK = 1 << 20
_SNIFF_CHARS = 1 << 16


class _NulFinder:
    """The line of the first NUL character in text fed block by block (None if there is none)."""

    def __init__(self) -> None:
        self.lines = 1
        self.line: int | None = None

    def feed(self, text: str) -> None:
        if self.line is None and "\x00" in text:
            self.line = self.lines + text.count("\n", 0, text.index("\x00"))
        self.lines += text.count("\n")


@dataclass(frozen=True)
class ColumnMap:
    """Which input columns hold the id, text, wave and question."""

    id: str = "id"
    text: str = "text"
    wave: str = "wave"
    question: str = "question"


def _check_file(path: Path) -> str:
    """The file kind ('xlsx', 'sav' or 'csv') after the checks every reader shares."""
    if not path.exists():
        raise InputFileError("file not found", path)
    if path.is_dir():
        raise InputFileError("is a directory, not a file", path)
    if path.stat().st_size == 0:
        raise InputFileError("file is empty", path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".sav":
        return "sav"
    with path.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith(b"PK\x03\x04"):
        raise InputFileError("is a zip/XLSX file, not CSV; give it an .xlsx name", path)
    if b"\x00" in head:
        raise InputFileError("is a binary file, not CSV text", path)
    if not head.strip():
        raise InputFileError("file is empty", path)
    return "csv"


def sniff_csv(path: Path) -> tuple[str, str]:
    """The file's encoding (decoded in blocks, so memory stays flat) and its delimiter."""
    encoding = None
    for candidate in ENCODINGS:
        decoder = codecs.getincrementaldecoder(candidate)()
        nul = _NulFinder()
        try:
            with path.open("rb") as fh:
                while block := fh.read(_BLOCK):
                    nul.feed(decoder.decode(block))
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        encoding = candidate
        break
    if encoding is None:
        raise InputFileError("is neither UTF-8 nor Windows-1252 text", path)
    if nul.line is not None:
        raise InputFileError("holds a NUL character (a damaged or binary file?); remove it and try again",
                             path, line=nul.line)
    with path.open(encoding=encoding, newline="") as fh:
        # At most 50 lines and 64 KB: one giant line must not be read whole just to sniff.
        sample = fh.read(_SNIFF_CHARS)
        lines = sample.splitlines(keepends=True)
        if len(sample) == _SNIFF_CHARS and len(lines) > 1:
            lines.pop()  # cut off mid-line
        sample = "".join(lines[:50])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        delimiter = max(DELIMITERS, key=header.count)
    return encoding, delimiter


def _csv_frames(path: Path, chunk_size: int | None):
    import pandas as pd

    encoding, delimiter = sniff_csv(path)
    handle = path.open(encoding=encoding, newline="")
    try:
        reader = pd.read_csv(handle, sep=delimiter, dtype=str, keep_default_na=False,
                             chunksize=chunk_size)
        if chunk_size is None:
            yield reader
        else:
            yield from reader
    except pd.errors.ParserError as exc:
        raise InputFileError(f"is not valid CSV ({str(exc).strip().splitlines()[-1]})", path) from None
    except pd.errors.EmptyDataError:
        raise InputFileError("file has no header row", path) from None
    finally:
        handle.close()


def _whole_frame(path: Path, kind: str):
    if kind == "xlsx":
        import pandas as pd

        from .xlsx_scan import check_first_sheet

        rows = check_first_sheet(path)  # stops the reader at the last row with content
        try:
            # keep_default_na=False: an answer or metadata cell reading "NA" or "None" is data, not missing.
            return pd.read_excel(path, dtype=object, engine="openpyxl", keep_default_na=False,
                                 nrows=rows or None)  # one row more than needed: blank rows are dropped
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise InputFileError(f"is not a readable XLSX workbook ({type(exc).__name__})", path) from None
    try:
        import pyreadstat

        frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise InputFileError(f"is not a readable SPSS .sav file ({type(exc).__name__})", path) from None
    return frame


def _as_strings(frame, path: Path):
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.columns.duplicated().any():
        dupes = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise InputFileError(f"duplicate column names: {', '.join(dupes)}", path)
    if len(frame):
        import numpy as np
        import pandas as pd

        # One pass over all cells, not one per column: an SPSS file may have thousands of variables.
        values = frame.astype(object).to_numpy(dtype=object, copy=True)
        missing = pd.isna(values)
        if missing.any() or not all(isinstance(d, pd.StringDtype) for d in frame.dtypes):
            values[missing] = ""
            values = np.frompyfunc(_as_text, 1, 1)(values)
        # else (a CSV read as text): every cell is a str already, which _as_text gives back as it is
        frame = pd.DataFrame(values, index=frame.index, columns=frame.columns)
    return frame


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def iter_table(path: str | Path, chunk_size: int | None = None) -> Iterator:
    """DataFrames of strings from a CSV, XLSX or SPSS file: in chunks for CSV when asked."""
    path = Path(path)
    try:
        kind = _check_file(path)
        if kind == "csv":
            for frame in _csv_frames(path, chunk_size):
                yield _as_strings(frame, path)
        else:
            yield _as_strings(_whole_frame(path, kind), path)
    except PermissionError:
        raise InputFileError("cannot be read (permission denied)", path) from None


def read_table(path: str | Path):
    """Read a whole CSV, XLSX or SPSS file into a DataFrame of strings, with clear errors."""
    import pandas as pd

    frames = list(iter_table(path))
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


class _CorpusChecker:
    """Validates chunks of one corpus file: columns, non-empty and unique ids across chunks."""

    def __init__(self, path: Path, columns: ColumnMap):
        self.path = path
        self.columns = columns
        self.seen = SeenIds()  # 8 bytes per id, so a streamed file's ids do not fill memory
        self.rows = 0

    def canonical(self, frame):
        path, columns = self.path, self.columns
        if len(frame.columns) == 0:
            raise InputFileError("file has no columns", path)
        for role, name in (("id", columns.id), ("text", columns.text)):
            if name not in frame.columns:
                found = ", ".join(list(frame.columns[:12]))
                raise InputFileError(f"missing {role} column '{name}' (columns found: {found})", path)
        rename = {columns.id: "id", columns.text: "text"}
        for role in ("wave", "question"):
            name = getattr(columns, role)
            if name in frame.columns:
                rename[name] = role
            elif name != role:
                raise InputFileError(f"missing {role} column '{name}'", path)
        clash = [c for c in rename.values() if c in frame.columns and c not in rename]
        if clash:
            raise InputFileError(f"column '{clash[0]}' exists besides the column mapped to it", path)
        frame = frame.rename(columns=rename)
        ids = frame["id"].astype(str).str.strip()
        frame["id"] = ids
        empty = (ids == "").to_numpy()
        if empty.any():
            raise InputFileError("empty id", path, line=self.rows + int(empty.argmax()) + 2)
        offset = self.seen.first_repeat(ids.tolist())
        if offset is not None:
            raise InputFileError(f"duplicate id '{ids.iloc[offset]}'", path, line=self.rows + offset + 2)
        self.rows += len(frame)
        order = ["id", "text"] + [c for c in ("wave", "question") if c in frame.columns]
        return frame[order + [c for c in frame.columns if c not in order]].reset_index(drop=True)


def iter_corpus(path: str | Path, columns: ColumnMap = ColumnMap(), chunk_size: int = 5000) -> Iterator:
    """Corpus chunks with `id`, `text`, optional `wave`/`question`, then the metadata columns.

    Rows keep their input order. A missing text is "", a valid answer that gets no theme.
    """
    path = Path(path)
    checker = _CorpusChecker(path, columns)
    for frame in iter_table(path, chunk_size):
        yield checker.canonical(frame)


def read_corpus(path: str | Path, columns: ColumnMap = ColumnMap()):
    """The whole corpus as one frame (see `iter_corpus`)."""

    path = Path(path)
    checker = _CorpusChecker(path, columns)
    return checker.canonical(read_table(path))
