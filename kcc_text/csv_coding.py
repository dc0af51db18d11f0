"""Coding a corpus straight to CSV text, chunk by chunk, each distinct answer rendered once per run.

A coded row is the input row followed by columns that depend only on the answer's text and
question. Survey answers repeat, so those columns are coded and written out as CSV text once
per distinct (text, question) and kept; a chunk's output is then its input columns, as pandas
writes them, joined line by line to the kept text. Every cell is written as pandas' writer
(`io.writing.write_csv_chunks_atomic`) writes it, by pandas itself where a column is of a kind
`_Cells` does not reproduce, so the file is the same byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cache import Bounded
from .io.writing import FORMULA_PREFIXES


def _risky_table():
    table = np.zeros(256, dtype=bool)  # by character code below 256 (anything above is not one)
    table[[ord(c) for c in FORMULA_PREFIXES + ("'",)]] = True
    return table


_RISKY = _risky_table()  # the characters defusing looks at first

CACHE_ANSWERS = 10_000  # coded answers kept (the latest), so memory does not grow with the corpus


class _Cells:
    """Cells of a pandas column as `DataFrame.to_csv` writes them (na_rep "", no float_format), or
    None for a column kind this does not reproduce (then pandas writes the whole frame)."""

    def __init__(self):
        # Coded scores and confidences are rounded to 3 decimals, so most floats are one of
        # 0.000 ... 1.000 and are looked up instead of formatted one by one. float64 columns:
        # pandas formats them with numpy's astype(str) (the last entry, "", is for NaN); object
        # cells are written by the csv module, which formats a float with repr.
        thousandths = np.arange(1001) / 1000.0
        self._numpy = np.array(thousandths.astype(str).tolist() + [""], dtype=object)
        self._python = {x: repr(x) for x in thousandths[1:].tolist()}
        self._ints = np.array([str(i) for i in range(1024)], dtype=object)

    def of(self, series) -> list | None:
        kind = series.dtype.kind
        if kind in "iu":
            values = series.to_numpy()
            if len(values) and 0 <= values.min() and values.max() < len(self._ints):
                return self._ints[values].tolist()  # 0/1 flags mostly: looked up, not formatted
            return values.astype(str).tolist()
        if kind == "f":
            values = series.to_numpy()
            with np.errstate(invalid="ignore"):
                k = np.rint(values * 1000.0)
                exact = (k >= 0) & (k <= 1000) & (k / 1000.0 == values) & ~np.signbit(values)
            out = self._numpy[np.where(exact, k, 1001).astype(np.int64)].tolist()
            odd = np.flatnonzero(~exact & ~np.isnan(values))  # NaN is "" (the table's last entry)
            if len(odd):
                for i, text in zip(odd.tolist(), values[odd].astype(str).tolist()):
                    out[i] = text
            return out
        if kind == "b":
            return ["True" if v else "False" for v in series.tolist()]
        if kind not in "OU" and not str(series.dtype).startswith("str"):
            return None  # categorical, datetime, nullable integers ...: pandas knows best
        known = self._python.get  # exact floats k/1000 (not 0.0: -0.0 would match it) -> text
        try:
            return [v if type(v) is str else (known(v) or _object_cell(v)) for v in series.tolist()]
        except _Unknown:
            return None


class _Unknown(Exception):
    """A cell of a type `_Cells` leaves to pandas."""


def _object_cell(value) -> str:
    """An object column's cell as the csv module writes it (floats by repr, missing values empty)."""
    kind = type(value)
    if kind is float:
        return "" if value != value else repr(value)
    if value is None:
        return ""
    if kind is int:
        return str(value)
    raise _Unknown  # numpy scalars, pd.NA, bytes ...


def _quoting_characters(delimiter: str) -> tuple[str, ...]:
    """The characters that make this Python's csv module (as pandas calls it) quote a cell: the
    delimiter, the quote and the line end at least; asked of the module itself, since which
    others count (a lone carriage return, say) changed between Python versions."""
    import csv
    import io

    def quoted(cell: str) -> bool:
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerow([cell, "x"])
        return out.getvalue().startswith('"')

    candidates = dict.fromkeys([delimiter, '"', "\n", "\r", "\t", " ", "\x00", "'", "\u2028", "\x0b", "\x0c"])
    return tuple(c for c in candidates if quoted(f"a{c}b"))


def _quoted(cells: list[str], special: tuple[str, ...]) -> list[str]:
    """The csv module's minimal quoting: a cell holding one of `special` is quoted, its quotes
    doubled. Checked on the whole column at once: most columns hold none."""
    joined = "\x00".join(cells)
    if not any(c in joined for c in special):
        return cells
    return ['"' + c.replace('"', '""') + '"' if any(ch in c for ch in special) else c for c in cells]


@dataclass(frozen=True)
class CsvChunk:
    """One chunk's coded rows as CSV text, and its counts for the summary."""

    text: str
    n_answers: int
    n_with_theme: int
    n_review: int


def formula_like_starts(text: str, delimiter: str):
    """Where (character offsets) a cell of CSV text may start with a character `io.writing.defuse_formula`
    looks at.

    A cell starts at the start of the text, after a line end or the delimiter, or after the
    quote that opens a quoted cell. A line break inside a quoted cell can raise a false alarm
    (that cell's row is then defused cell by cell), never a miss.
    """
    # Most texts hold none of these characters at all: the UTF-8 bytes say so quickest (they are
    # ASCII, and an ASCII byte is always that character in UTF-8).
    if not _RISKY[np.frombuffer(text.encode("utf-8"), dtype=np.uint8)].any():
        return np.zeros(0, dtype=np.int64)
    data = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    at = np.flatnonzero(_RISKY[np.minimum(data, 255)])
    before = np.where(at >= 1, data[np.maximum(at - 1, 0)], ord("\n"))
    before_quote = np.where(at >= 2, data[np.maximum(at - 2, 0)], ord("\n"))
    cell_start = (before == ord("\n")) | (before == ord(delimiter))
    cell_start |= (before == ord('"')) & ((before_quote == ord("\n")) | (before_quote == ord(delimiter)))
    return at[cell_start]


def csv_records(text: str) -> list[str]:
    """The records of CSV text written with "\\n" line ends (a quoted field may hold a line break)."""
    records: list[str] = []
    pending = None
    for line in text.split("\n"):
        if pending is not None:
            line = pending + "\n" + line
        if line.count('"') % 2:
            pending = line
            continue
        pending = None
        records.append(line)
    if records and records[-1] == "":
        records.pop()  # the text ends with a line end
    return records


class CsvCoder:
    """Codes chunks of a corpus frame (`io.corpus.open_answers`) into coded CSV text."""

    def __init__(self, coder, *, meta=None, delimiter: str = ","):
        self.coder = coder
        self.meta = meta
        self.delimiter = delimiter
        # (text, question) -> (its coded columns as CSV, has a theme, needs review)
        self._coded: dict[tuple, tuple[str, int, int]] = Bounded(CACHE_ANSWERS)
        self._coded_header: str | None = None
        self._cells = _Cells()
        self._special = _quoting_characters(delimiter)

    def _lines(self, frame) -> list[str] | None:
        """The rows of `frame` as pandas' CSV writer writes them (no header), or None where it must write them."""
        columns = []
        for _name, series in frame.items():
            cells = self._cells.of(series)
            if cells is None:
                return None
            columns.append(_quoted(cells, self._special))
        if len(columns) < 2:
            return None  # the csv module writes a row of one empty cell as "" (pandas too)
        return list(map(self.delimiter.join, zip(*columns)))

    def _records(self, frame, header: bool) -> list[str]:
        """`frame` as `write_csv_chunks_atomic` writes it (formula-like cells defused), one string a row.

        Written as it is; only the rows where a cell may start like a formula (rare, as an answer
        starting with "-" or "'t") are written again, defused, and the header always is.
        """
        from .io.writing import defuse_frame

        def write(part, with_header):
            return part.to_csv(index=False, header=with_header, lineterminator="\n", sep=self.delimiter)

        lines = self._lines(frame) if len(frame) else None
        if lines is None:
            text = write(frame, header)
            records = csv_records(text)
        else:
            records = ([""] if header else []) + lines
            text = "\n".join(records) + "\n"
        starts = formula_like_starts(text, self.delimiter)
        ends = np.cumsum([len(r) + 1 for r in records]) if len(starts) else None  # a record and its line end
        if header:
            records[0] = csv_records(write(defuse_frame(frame.iloc[:0]), True))[0]
        if len(starts):
            rows = sorted({int(r) for r in np.searchsorted(ends, starts, side="right")} - ({0} if header else set()))
            at = [r - 1 for r in rows] if header else rows
            for row, record in zip(rows, csv_records(write(defuse_frame(frame.iloc[at]), False))):
                records[row] = record
        return records

    def _coded_columns(self, rows, yes_no):
        """The columns coding adds to `rows` (their header line kept for the first chunk)."""
        columns = self.coder.code_chunk(rows, yes_no=yes_no).iloc[:, rows.shape[1]:]
        if self._coded_header is None:
            self._coded_header = self._records(columns.iloc[:0], True)[0]
        return columns

    def code(self, chunk, *, header: bool, yes_no: set | None = None) -> CsvChunk:
        """The coded rows of `chunk` as CSV text (with the header line when `header`).

        `yes_no`: the questions answered yes/no (`coding.Coder.code_chunk`); an answer's coded
        columns depend on whether its question is one, so that must not change during a run.
        """
        from .coding import answer_keys
        from .io.outputs import with_value_labels

        n = len(chunk)
        if n == 0:
            coded = self.coder.code_chunk(chunk, yes_no=yes_no)
            return CsvChunk("".join(r + "\n" for r in self._records(with_value_labels(coded, self.meta), header)),
                            0, 0, 0)
        keys = answer_keys(chunk["text"].tolist(), chunk["question"].tolist() if "question" in chunk.columns else None)
        known = self._coded
        new: dict[tuple, int] = {}
        fresh: dict[tuple, tuple[str, int, int]] = {}  # this chunk's coded columns, by answer
        for i, key in enumerate(keys):
            if key not in fresh and key not in new:
                entry = known.recall(key)
                if entry is None:
                    new[key] = i
                else:
                    fresh[key] = entry
        if new:
            columns = self._coded_columns(chunk.iloc[list(new.values())], yes_no)
            lines = self._records(columns, False)
            themed = (columns["themes"] != "").tolist()
            review = columns["needs_review"].tolist()
            for key, line, has_theme, needs_review in zip(new, lines, themed, review):
                fresh[key] = (line, int(has_theme), int(needs_review))
        inputs = self._records(with_value_labels(chunk, self.meta), header)
        sep = self.delimiter
        out = []
        if header:
            if self._coded_header is None:
                self._coded_columns(chunk.iloc[:1], yes_no)
            out.append(inputs[0] + sep + self._coded_header)
            inputs = inputs[1:]
        n_themed = n_review = 0
        for line, key in zip(inputs, keys):
            coded_line, has_theme, needs_review = fresh[key]
            out.append(line + sep + coded_line)
            n_themed += has_theme
            n_review += needs_review
        out.append("")
        for key in new:  # kept for later chunks
            known[key] = fresh[key]
        return CsvChunk("\n".join(out), n, n_themed, n_review)
