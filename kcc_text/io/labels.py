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


def read_labels(path: str | Path, known_themes: Iterable[str] | None = None):
    """Read a labels file; check columns and (optionally) that every theme is in the codebook."""
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
        known = set(known_themes)
        unknown = sorted(set(frame["theme"]) - known - {""})
        if unknown:
            line = int(frame["theme"].isin(unknown).to_numpy().argmax()) + 2
            raise InputFileError(f"theme '{unknown[0]}' is not in the codebook"
                                 + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""),
                                 path, line=line)
    for column in ("coder", "coded_at"):
        if column not in frame.columns:
            frame[column] = ""
    return frame


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
    """Append decisions to a labels file and force them to disk: nothing coded is ever lost."""
    path = Path(path)
    new = not path.exists() or path.stat().st_size == 0
    if new:
        fields = LABEL_COLUMNS
    else:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
        if not header or "id" not in header or "theme" not in header:
            raise InputFileError("is not a labels file (no id and theme columns)", path)
        fields = header
        with path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            # A file saved without a final newline would glue our first row onto its last one.
            missing_newline = fh.read(1) not in (b"\n", b"\r")
    with path.open("a", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        if new:
            writer.writeheader()
        elif missing_newline:
            fh.write("\n")
        writer.writerows(rows)
        fh.flush()
        os.fsync(fh.fileno())


def as_label_sets(labels) -> dict[str, frozenset[str]]:
    """Id -> themes from a labels frame (`read_labels`) or a mapping of id -> themes."""
    if hasattr(labels, "columns"):
        frame = labels
        for column in ("coder", "coded_at"):
            if column not in frame.columns:
                frame = frame.assign(**{column: ""})
        return label_sets(frame)
    return {str(i): frozenset(t for t in themes if t) for i, themes in labels.items()}
