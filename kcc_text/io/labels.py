"""Human codes in long format: one row per (answer, theme); an empty theme means "coded, no theme".

The file is an append-only log. When an answer was coded more than once (a later
decision in `annotate`, or a correction), the latest decision per answer and coder
counts: a decision is the set of rows with the same id, coder and coded_at.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from .answers import read_table
from ..errors import InputFileError

LABEL_COLUMNS = ["id", "theme", "coder", "coded_at", "wave", "question", "codebook"]


def read_labels(path: str | Path, known_themes: Iterable[str] | None = None, *,
                ignore_unknown_themes: bool = False, known_from: str = "the codebook"):
    """Read a labels file; check columns and (optionally) that every theme is known (`check_themes`)."""
    path = Path(path)
    frame = read_table(path)
    for column in ("id", "theme"):
        if column not in frame.columns:
            raise InputFileError(f"missing column '{column}' (a labels file has id and theme)", path)
    frame["id"] = frame["id"].astype(str).str.strip()
    frame["theme"] = frame["theme"].astype(str).str.strip()
    if (frame["id"] == "").any():
        raise InputFileError("empty id", path, line=int((frame["id"] == "").to_numpy().argmax()) + 2)
    if known_themes is not None:
        frame = check_themes(frame, known_themes, path, ignore=ignore_unknown_themes, known_from=known_from)
    for column in ("coder", "coded_at"):
        if column not in frame.columns:
            frame[column] = ""
    return frame


MAX_LISTED = 10  # unknown theme ids named in a message; the rest are counted


def check_themes(frame, known_themes: Iterable[str], path: str | Path | None, *, ignore: bool = False,
                 known_from: str = "the codebook"):
    """Rows whose theme is unknown: an error that lists them, or, with `ignore`, dropped with a warning.

    Never a silent drop: a theme id the codebook lacks is a typo, a renamed theme or the
    wrong codebook, and training or comparing without those rows changes the numbers. The
    error names the first line, every unknown id (the first ten, then a count) and how many
    rows hold them. With `ignore` the rows are left out and a `SkippedRowsWarning` says how
    many, so the command reports it. `frame` has a `theme` column (empty: coded, no theme)
    and its row positions are the file's lines from 2 on.
    """
    import warnings

    from ..errors import SkippedRowsWarning

    known = set(known_themes)
    bad = ~frame["theme"].isin(known) & (frame["theme"] != "")
    n_rows = int(bad.sum())
    if not n_rows:
        return frame
    unknown = list(dict.fromkeys(frame.loc[bad, "theme"]))  # in the file's order: fixed from the top
    listed = ", ".join(unknown[:MAX_LISTED]) + (f" and {len(unknown) - MAX_LISTED} more"
                                                if len(unknown) > MAX_LISTED else "")
    rows = f"{n_rows} row{'s' if n_rows != 1 else ''}"
    if not ignore:
        line = int(bad.to_numpy().argmax()) + 2
        what = (f"theme '{unknown[0]}' is" if len(unknown) == 1
                else f"{len(unknown)} theme ids are")
        raise InputFileError(f"{what} not in {known_from}{'' if len(unknown) == 1 else ': ' + listed} "
                             f"({rows}); correct the labels, or pass --ignore-unknown-themes to leave those rows out",
                             path, line=line)
    kept = frame[~bad]
    lost = len(set(frame["id"]) - set(kept["id"]))
    name = Path(path).name if path is not None else "the labels"
    warnings.warn(SkippedRowsWarning(
        f"left out {rows} of {name} whose theme is not in {known_from} ({listed})"
        + (f"; {lost} answer{'s' if lost != 1 else ''} had no other code and "
           f"count{'s' if lost == 1 else ''} as not coded" if lost else "")),
        stacklevel=2)
    return kept.reset_index(drop=True)


def label_sets(labels, coder: str | None = None) -> dict[str, frozenset[str]]:
    """Map each coded answer id to its set of themes, taking the latest decision per answer."""
    frame = labels if coder is None else labels[labels["coder"] == coder]
    latest = frame.groupby("id", sort=False)["coded_at"].transform("max")
    current = frame[frame["coded_at"] == latest]
    return {answer_id: frozenset(t for t in themes if t)
            for answer_id, themes in current.groupby("id", sort=False)["theme"]}


def sets_to_rows(sets: Mapping[str, Iterable[str]], **extra: str) -> list[dict[str, str]]:
    """Long-format rows for a mapping of id -> themes; an empty set becomes one row with no theme."""
    rows = []
    for answer_id, themes in sets.items():
        themes = sorted(themes)
        for theme in themes or [""]:
            rows.append({"id": answer_id, "theme": theme, **extra})
    return rows


def append_labels(path: str | Path, rows: list[Mapping[str, str]]) -> None:
    """Append decisions to a labels file and force them to disk: nothing coded is ever lost.

    The rows go out in one write to a file opened for appending, under an exclusive `flock`
    of the labels file: two writers never interleave their lines, and a run killed right
    after this returns has its decision on disk.
    """
    import io

    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        _lock(fd)
        size = os.fstat(fd).st_size
        if size == 0:
            fields = LABEL_COLUMNS
        else:
            try:
                with path.open(encoding="utf-8-sig", newline="") as fh:
                    header = next(csv.reader(fh), None)
            except (csv.Error, UnicodeDecodeError):
                header = None
            if not header or "id" not in header or "theme" not in header:
                raise InputFileError("is not a labels file (no id and theme columns)", path)
            fields = header
        buffer = io.StringIO()
        if size:
            with path.open("rb") as fh:
                fh.seek(-1, os.SEEK_END)
                # A file saved without a final newline would glue our first row onto its last one.
                if fh.read(1) not in (b"\n", b"\r"):
                    buffer.write("\n")
        writer = csv.DictWriter(buffer, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        if size == 0:
            writer.writeheader()
        writer.writerows(rows)
        data = buffer.getvalue().encode("utf-8")
        while data:
            written = os.write(fd, data)
            data = data[written:]
        os.fsync(fd)
    finally:
        os.close(fd)  # also releases the lock


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: a single append is still whole lines on a local disk
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def as_label_sets(labels) -> dict[str, frozenset[str]]:
    """Id -> themes from a labels frame (`read_labels`) or a mapping of id -> themes."""
    if hasattr(labels, "columns"):
        frame = labels
        for column in ("coder", "coded_at"):
            if column not in frame.columns:
                frame = frame.assign(**{column: ""})
        return label_sets(frame)
    return {str(i): frozenset(t for t in themes if t) for i, themes in labels.items()}
