"""Writing outputs safely: atomically, never over an input, and free of spreadsheet formulas."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from ..errors import OutputPathError
from . import tempfiles

# A cell starting with one of these is run as a formula by Excel, LibreOffice and
# Google Sheets (OWASP "CSV injection"); a leading apostrophe makes it plain text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\x00")
# A sign, digits, decimal or thousands separators and an exponent cannot call a function,
# so a value such as -99, -1, +31 or -1.000,50 is a number to a spreadsheet, not a formula.
_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d[\d.,]*)(?:[eE][+-]?\d+)?%?")


def _runs_as_formula(value: str) -> bool:
    return value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value)


def _needs_quote(value: str) -> bool:
    """A text a spreadsheet would run, or one that already looks defused (so the quote can be undone)."""
    while True:
        if _runs_as_formula(value):
            return True
        if not value.startswith("'"):
            return False
        value = value[1:]


def defuse_formula(value: object) -> object:
    """Return `value` so that a spreadsheet shows it as text instead of running it.

    Only text that a spreadsheet would run gets a leading apostrophe; numbers such as -99
    stay as they are. Text that itself starts with an apostrophe before such a text gets
    one more, so `undefuse` gives back every value exactly.
    """
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def undefuse(value: object) -> object:
    """The value `defuse_formula` was given: the apostrophe it added is taken off again."""
    if isinstance(value, str) and value.startswith("'") and _needs_quote(value[1:]):
        return value[1:]
    return value


def check_output_path(out: str | Path, inputs: Iterable[str | Path | None]) -> Path:
    """Refuse an output path that is one of the inputs: an input is never overwritten."""
    out_path = Path(out)
    for given in inputs:
        if given is None:
            continue
        given_path = Path(given)
        if out_path.exists() and given_path.exists():
            if os.path.samefile(out_path, given_path):
                raise OutputPathError(f"output is the same file as the input {given_path}", out_path)
        elif out_path.resolve() == given_path.resolve():
            raise OutputPathError(f"output is the same file as the input {given_path}", out_path)
    if out_path.exists() and out_path.is_dir():
        raise OutputPathError("is a directory, not a file", out_path)
    parent = out_path.parent if str(out_path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputPathError(f"folder {parent} does not exist", out_path)
    if not os.access(parent, os.W_OK):
        raise OutputPathError(f"folder {parent} is not writable", out_path)
    return out_path


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: str = "w", encoding: str | None = "utf-8",
                  newline: str | None = "") -> Iterator[IO]:
    """Open a temporary file beside `path`; rename it over `path` only when the block succeeds.

    The temporary file is `.NAME.XXXXXXXX.part`; one left by a killed run is removed by the
    next write of the same output (see `tempfiles`).
    """
    path = Path(path)
    binary = "b" in mode
    tempfiles.remove_stale_temps(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=tempfiles.temp_prefix(path), suffix=tempfiles.SUFFIX, dir=folder)
    # mkstemp makes the file private (0600); an output should get the user's usual mode.
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        with tempfiles.held(fd):  # until renamed: marks the temporary file as not abandoned
            with os.fdopen(fd, mode, **({} if binary else {"encoding": encoding, "newline": newline})) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        tempfiles.fsync_folder(folder)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(text)


def defuse_frame(frame):
    """A copy of a DataFrame whose text cells cannot run as spreadsheet formulas."""
    import numpy as np

    safe = frame.copy()
    text = [i for i, dtype in enumerate(frame.dtypes) if dtype == object or str(dtype).startswith("str")]
    if text:
        # One pass over all text cells, not one per column: a file may have thousands of variables.
        safe.iloc[:, text] = np.frompyfunc(defuse_formula, 1, 1)(frame.iloc[:, text].to_numpy(dtype=object))
    safe.columns = [defuse_formula(c) for c in safe.columns]
    return safe


def write_csv_atomic(frame, path: str | Path, *, delimiter: str = ",", bom: bool = False) -> None:
    """Write a pandas DataFrame as UTF-8 CSV, formula-safe, atomically."""
    write_csv_chunks_atomic([frame], path, delimiter=delimiter, bom=bom)


def write_csv_chunks_atomic(frames: Iterable, path: str | Path, *, delimiter: str = ",", bom: bool = False) -> int:
    """Write DataFrames one after another as one CSV (header once); return the rows written.

    `bom`: start with a UTF-8 byte-order mark, which Excel needs to read UTF-8 (without it
    Excel on a Dutch Windows reads the file as Windows-1252: "cafÃ©").
    """
    rows = 0
    with atomic_writer(path, encoding="utf-8-sig" if bom else "utf-8") as fh:
        for index, frame in enumerate(frames):
            defuse_frame(frame).to_csv(fh, index=False, header=index == 0, lineterminator="\n", sep=delimiter)
            rows += len(frame)
    return rows


def write_text_chunks_atomic(texts: Iterable[str], path: str | Path, *, bom: bool = False) -> int:
    """Write pieces of text one after another, atomically; return the characters written."""
    written = 0
    with atomic_writer(path, encoding="utf-8-sig" if bom else "utf-8") as fh:
        for text in texts:
            written += fh.write(text)
    return written
