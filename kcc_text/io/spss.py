"""SPSS .sav output: names SPSS accepts, numbers as numbers, and the labels that make a file usable in SPSS.

SPSS variable names start with a letter, hold letters, digits and `_ . @ # $`, are at most
64 bytes, are unique without regard to case and are not one of its 13 reserved words. A
column whose name breaks those rules gets a valid one; the file's documents (notes) then
record every such name with the original, so `kcc-text` reads the file back under the
original names, and SPSS users see the original in the variable label.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import OutputPathError

MAX_NAME = 64
RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
NOTE_WIDTH = 80  # an SPSS document line holds 80 bytes and loses its trailing spaces
NAMES_NOTE = "kcc-text column names (JSON, SPSS name: column name):"
NAMES_END = "kcc-text column names end"
_VALID = re.compile(r"[A-Za-z][A-Za-z0-9_.@#$]{0,63}")


def is_valid_name(name: str) -> bool:
    return (bool(_VALID.fullmatch(name)) and not name.endswith((".", "_")) and name.upper() not in RESERVED
            and len(name.encode("utf-8")) <= MAX_NAME)


def _valid_base(column: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", column).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_name).strip("_")
    if not name or not name[0].isalpha():
        name = "v_" + name
    if name.upper() in RESERVED:
        name = "v_" + name
    return name[:MAX_NAME].rstrip("_.")


def spss_names(columns: Iterable[str]) -> dict[str, str]:
    """A valid, case-insensitively unique SPSS name for every column; valid names are kept as they are."""
    columns = list(columns)
    names: dict[str, str] = {}
    used: set[str] = set()
    for column in columns:  # valid names first, so they keep their name
        if is_valid_name(column) and column.upper() not in used:
            names[column] = column
            used.add(column.upper())
    for column in columns:
        if column in names:
            continue
        base = _valid_base(column)
        candidate, n = base, 1
        while candidate.upper() in used:
            n += 1
            suffix = f"_{n}"
            candidate = base[:MAX_NAME - len(suffix)] + suffix
        names[column] = candidate
        used.add(candidate.upper())
    return names


def names_note(renamed: Mapping[str, str]) -> list[str]:
    """Document lines recording {SPSS name: original column name}, each within SPSS's 80 bytes."""
    text = json.dumps(dict(renamed), ensure_ascii=True, separators=(",", ":"))
    lines, start = [NAMES_NOTE], 0
    while start < len(text):
        end = min(start + NOTE_WIDTH, len(text))
        while end < len(text) and text[end - 1] == " ":  # SPSS would drop a trailing space
            end -= 1
        lines.append(text[start:end])
        start = end
    lines.append(NAMES_END)
    return lines


def names_from_notes(notes: Iterable[str]) -> dict[str, str]:
    """{SPSS name: original column name} from a file written by `write_sav` ({} for any other file)."""
    notes = list(notes)
    if NAMES_NOTE not in notes:
        return {}
    start = notes.index(NAMES_NOTE) + 1
    end = notes.index(NAMES_END, start) if NAMES_END in notes[start:] else len(notes)
    try:
        names = json.loads("".join(notes[start:end]))
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}


_NUMBER_TEXT = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d*[1-9])?")


def is_number_text(value: str) -> bool:
    """Text that a number prints as exactly: "25", "-99", "0.5"; not "007", "1.50" or "1e3".

    Numbers of more than 15 digits (long ids, phone numbers) stay text: a double, which is
    what SPSS and Excel store, keeps 15 digits exactly.
    """
    return bool(_NUMBER_TEXT.fullmatch(value)) and sum(ch.isdigit() for ch in value) <= 15


def numeric_column(values, *, source_numeric: bool | None = None) -> bool:
    """Whether a column is written as numbers: as the SPSS source had it, else when every value is a number."""
    import numbers

    import pandas as pd

    if source_numeric is not None:
        return source_numeric
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return True
    seen = False
    for value in values:
        if value is None or (isinstance(value, float) and value != value) or value == "":
            continue
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            seen = True
            continue
        if not isinstance(value, str) or not is_number_text(value):
            return False
        seen = True
    return seen


def write_sav(frame, path: str | Path, *, variable_labels: Mapping[str, str] | None = None,
              value_labels: Mapping[str, Mapping] | None = None, meta=None,
              measure: Mapping[str, str] | None = None, formats: Mapping[str, str] | None = None,
              numbers: Iterable[str] = ()) -> dict[str, str]:
    """Write `frame` as an SPSS file atomically; return {column: SPSS name}.

    `meta` (a `tables.SourceMeta` of an SPSS input) brings back the input's own types,
    variable labels, value labels, missing values, measures and formats. `numbers`: columns
    written as numbers even when they hold no value at all.
    """
    import pandas as pd
    import pyreadstat

    path = Path(path)
    names = spss_names(frame.columns)
    numbers = set(numbers)
    source_kind = getattr(meta, "kind", None)
    labels = {**(getattr(meta, "variable_labels", None) or {}), **(variable_labels or {})}
    values = {**(getattr(meta, "value_labels", None) or {}), **(value_labels or {})}
    data = {}
    numeric: set[str] = set()
    for column in frame.columns:
        source_numeric = True if column in numbers else None
        if source_kind == "sav" and column in meta.columns:
            source_numeric = column in meta.numeric
        if numeric_column(frame[column], source_numeric=source_numeric):
            series = frame[column]
            if values.get(column):
                # A question or wave read from SPSS holds its value labels: write the codes back.
                codes = {str(label): code for code, label in reversed(list(values[column].items()))}
                series = series.map(lambda v, c=codes: c.get(v, v) if isinstance(v, str) else v)
            data[names[column]] = pd.to_numeric(series.replace("", None), errors="coerce").astype(float)
            numeric.add(column)
        else:
            data[names[column]] = frame[column].map(lambda v: "" if v is None or v != v else str(v)).astype(object)
    out = pd.DataFrame(data, index=range(len(frame)))
    column_labels = {}
    for column, name in names.items():
        label = labels.get(column) or (column if name != column else None)
        if label:
            column_labels[name] = label[:256]
    value_labels_out = {}
    for column, mapping in values.items():
        if column not in names or not mapping:
            continue
        if column in numeric:
            coded = {}
            for code, label in mapping.items():
                with contextlib.suppress(TypeError, ValueError):
                    coded[float(code)] = str(label)
            if coded:
                value_labels_out[names[column]] = coded
        else:
            value_labels_out[names[column]] = {str(code): str(label) for code, label in mapping.items()}
    missing = {names[c]: ranges for c, ranges in (getattr(meta, "missing_ranges", None) or {}).items()
               if c in names and c in numeric}
    measures = {names[c]: m for c, m in {**(getattr(meta, "measure", None) or {}), **(measure or {})}.items()
                if c in names}
    formats_out = {names[c]: f for c, f in {**(getattr(meta, "formats", None) or {}), **(formats or {})}.items()
                   if c in names and c in numeric}
    renamed = {name: column for column, name in names.items() if name != column}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent or ".")
    os.close(fd)
    try:
        pyreadstat.write_sav(out, tmp, column_labels=column_labels or None,
                             variable_value_labels=value_labels_out or None, missing_ranges=missing or None,
                             variable_measure=measures or None, variable_format=formats_out or None,
                             note=names_note(renamed) if renamed else None)
        current = os.umask(0)
        os.umask(current)
        os.chmod(tmp, 0o666 & ~current)
        os.replace(tmp, path)
    except Exception as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, (KeyboardInterrupt, OutputPathError)):
            raise
        raise OutputPathError(f"cannot be written as an SPSS file ({str(exc).strip() or type(exc).__name__})",
                              path) from None
    return names
