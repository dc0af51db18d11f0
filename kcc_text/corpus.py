"""Reading answer files (CSV, XLSX, SPSS .sav) into one frame with canonical column names."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .errors import InputFileError

ENCODINGS = ("utf-8-sig", "cp1252")  # the contract's encodings; utf-8-sig also reads plain UTF-8
DELIMITERS = ",;\t"


@dataclass(frozen=True)
class ColumnMap:
    """Which input columns hold the id, text, wave and question."""

    id: str = "id"
    text: str = "text"
    wave: str = "wave"
    question: str = "question"


def read_table(path: str | Path):
    """Read a CSV, XLSX or SPSS file into a DataFrame of strings, with clear errors."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InputFileError("file not found", path)
    if path.is_dir():
        raise InputFileError("is a directory, not a file", path)
    raw = path.read_bytes()
    if not raw.strip():
        raise InputFileError("file is empty", path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame = _read_xlsx(path)
    elif suffix == ".sav":
        frame = _read_sav(path)
    else:
        frame = _read_csv_bytes(raw, path)
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.columns.duplicated().any():
        dupes = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise InputFileError(f"duplicate column names: {', '.join(dupes)}", path)
    return frame.astype(object).where(frame.notna(), "").map(_as_text) if len(frame) else frame


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv_bytes(raw: bytes, path: Path):
    import pandas as pd

    if raw.startswith(b"PK\x03\x04"):
        raise InputFileError("is a zip/XLSX file, not CSV; give it an .xlsx name", path)
    if b"\x00" in raw[:8192]:
        raise InputFileError("is a binary file, not CSV text", path)
    text = None
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise InputFileError("is neither UTF-8 nor Windows-1252 text", path)
    sample = "\n".join(text.splitlines()[:50])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        header = text.splitlines()[0]
        delimiter = max(DELIMITERS, key=header.count)
    try:
        return pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                           skipinitialspace=False)
    except pd.errors.ParserError as exc:
        raise InputFileError(f"is not valid CSV ({str(exc).strip().splitlines()[-1]})", path) from None
    except pd.errors.EmptyDataError:
        raise InputFileError("file has no header row", path) from None


def _read_xlsx(path: Path):
    import pandas as pd

    try:
        return pd.read_excel(path, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputFileError(f"is not a readable XLSX workbook ({type(exc).__name__})", path) from None


def _read_sav(path: Path):
    try:
        import pyreadstat

        frame, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise InputFileError(f"is not a readable SPSS .sav file ({type(exc).__name__})", path) from None
    return frame


def read_corpus(path: str | Path, columns: ColumnMap = ColumnMap()):
    """Read a corpus file; return a frame with `id`, `text`, optional `wave`/`question`, then metadata.

    Rows keep their input order. Missing texts become "", a valid answer without themes.
    """
    path = Path(path)
    frame = read_table(path)
    if len(frame.columns) == 0:
        raise InputFileError("file has no columns", path)
    for role, name in (("id", columns.id), ("text", columns.text)):
        if name not in frame.columns:
            found = ", ".join(frame.columns[:12])
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
        raise InputFileError(f"column '{clash[0]}' exists besides the one mapped to it", path)
    frame = frame.rename(columns=rename)
    frame["id"] = frame["id"].astype(str).str.strip()
    if (frame["id"] == "").any():
        row = int((frame["id"] == "").to_numpy().argmax()) + 2
        raise InputFileError("empty id", path, line=row)
    dupes = frame["id"][frame["id"].duplicated()]
    if len(dupes):
        raise InputFileError(f"duplicate id '{dupes.iloc[0]}' ({len(dupes)} duplicates)", path)
    frame["text"] = frame["text"].astype(str)
    order = ["id", "text"] + [c for c in ("wave", "question") if c in frame.columns]
    return frame[order + [c for c in frame.columns if c not in order]].reset_index(drop=True)


def metadata_columns(frame) -> list[str]:
    """The respondent metadata: every column that is not id, text, wave or question."""
    return [c for c in frame.columns if c not in ("id", "text", "wave", "question")]
