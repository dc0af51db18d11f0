"""The coded-output format: its columns, and the one place that writes and reads them.

A coded file is the corpus (rows in input order, all columns) plus `themes` (ids joined by `;`),
`needs_review`, `codebook`, `pipeline`, `model`, `evidence` (`theme: word, word | theme: ...`)
and per theme `th_<id>` (0/1), `src_<id>` (rules, model or both) and `p_<id>` (probability).
Theme column names are made SPSS-safe (<= 64 bytes, unique case-insensitively), so a theme id
is read back through the codebook's mapping, or from `themes` when there is no codebook.
"""

from __future__ import annotations

import re

THEME_SEPARATOR = ";"
OUTPUT_COLUMNS = ("themes", "needs_review", "codebook", "pipeline", "model", "evidence", "confidence",
                  "source")
THEME_PREFIXES = ("th", "src", "p")
SPSS_MAX_NAME = 64
# SPSS value labels of the 0/1 columns
THEME_VALUES = {0: "niet genoemd", 1: "genoemd"}
REVIEW_VALUES = {0: "nee", 1: "ja"}


def join_themes(themes) -> str:
    return THEME_SEPARATOR.join(themes)


def split_themes(value: object) -> tuple[str, ...]:
    """Theme ids of one coded answer (`a;b`) in their order; empty or missing means no theme."""
    return tuple(part.strip() for part in cell_text(value).split(THEME_SEPARATOR) if part.strip())


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


def spss_name(prefix: str, theme_id: str) -> str:
    """A variable name SPSS accepts: starts with a letter, at most 64 bytes, no trailing period."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}_{theme_id}")[:SPSS_MAX_NAME]
    return name.rstrip("._")


def theme_columns(theme_ids, prefix: str) -> dict[str, str]:
    """Theme id -> the name of its `prefix` column (th, src or p)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for theme_id in theme_ids:
        name = spss_name(prefix, theme_id)
        candidate, n = name, 1
        while candidate.lower() in used:  # SPSS names are case-insensitive
            n += 1
            candidate = f"{name[:SPSS_MAX_NAME - len(str(n))]}{n}"
        used.add(candidate.lower())
        names[theme_id] = candidate
    return names


def is_output_column(name: str) -> bool:
    return name in OUTPUT_COLUMNS or any(name.startswith(p + "_") for p in THEME_PREFIXES)


def format_evidence(evidence: dict[str, list[str]]) -> str:
    return " | ".join(f"{theme}: {', '.join(words)}" for theme, words in evidence.items())


def parse_evidence(text: str) -> dict[str, list[str]]:
    """Read back the `evidence` column of a coded file."""
    result: dict[str, list[str]] = {}
    for part in (text or "").split(" | "):
        if ": " in part:
            theme, words = part.split(": ", 1)
            result[theme.strip()] = [w.strip() for w in words.split(", ") if w.strip()]
    return result


def coded_theme_ids(coded, codebook=None) -> list[str]:
    """The theme ids a coded frame carries, in codebook order.

    With the codebook: its themes that have a `th_` column (or all, for a frame without them).
    Without: the ids in the `themes` column, in order of first appearance.
    """
    if codebook is not None:
        th = theme_columns(codebook.theme_ids, "th")
        present = [t for t in codebook.theme_ids if th[t] in coded.columns]
        return present or list(codebook.theme_ids)
    seen: dict[str, None] = {}
    for value in coded["themes"]:
        for theme in split_themes(value):
            seen.setdefault(theme, None)
    return list(seen)


def theme_sets(coded) -> dict[str, frozenset[str]]:
    """Answer id -> its theme set, from a coded frame."""
    return {str(i).strip(): frozenset(split_themes(v)) for i, v in zip(coded["id"], coded["themes"])}


def read_coded(path, *, require=()):
    """A coded output of any format as a frame of strings, exactly as `code` had it before writing.

    CSV cells that writing defused (a `'` before a formula-like text) get their own words back;
    SPSS value labels other than the theme and review flags are applied.
    """
    from ..errors import InputFileError
    from .tables import read_whole
    from .writing import undefuse

    frame, meta = read_whole(path)
    if meta.kind == "csv":
        frame = frame.map(undefuse)
        frame.columns = [undefuse(c) for c in frame.columns]
    elif meta.kind == "sav":
        ours = (THEME_VALUES, REVIEW_VALUES)
        for column, labels in meta.value_labels.items():
            if column in frame.columns and {int(float(k)) if _is_int(k) else k: v for k, v in labels.items()} \
                    not in ours:
                frame[column] = meta.labelled(column, frame[column])
    missing = [c for c in require if c not in frame.columns]
    if missing:
        raise InputFileError(f"missing column '{missing[0]}' (is this a coded output of `kcc-text code`?)", path)
    if "id" in frame.columns:
        frame["id"] = frame["id"].astype(str).str.strip()
    return frame


def _is_int(text: str) -> bool:
    try:
        return float(text).is_integer()
    except ValueError:
        return False


def check_input_columns(frame, path=None) -> None:
    """An input column named like an output column would be silently overwritten: refuse it."""
    from ..errors import UsageError

    clash = [c for c in frame.columns if is_output_column(c)]
    if clash:
        raise UsageError(f"input column '{clash[0]}' has the name of an output column; rename it", path)


def coded_frame(chunk, codes, *, codebook, pipeline: str, model_id: str | None):
    """The coded rows of a chunk of answers: its columns, then the coded-output columns."""
    import pandas as pd

    codes = list(codes)
    out = chunk.copy().reset_index(drop=True)
    ids = codebook.theme_ids
    out["themes"] = [join_themes(c.themes) for c in codes]
    out["needs_review"] = [int(c.needs_review) for c in codes]
    out["codebook"] = codebook.ref
    out["pipeline"] = pipeline
    if model_id is not None:
        out["model"] = model_id
    out["confidence"] = [round(c.confidence, 3) if c.confidence is not None else "" for c in codes]
    out["evidence"] = [format_evidence(c.evidence) for c in codes]
    th, src = theme_columns(ids, "th"), theme_columns(ids, "src")
    columns = {}
    for theme_id in ids:
        columns[th[theme_id]] = [int(theme_id in c.themes) for c in codes]
    for theme_id in ids:
        columns[src[theme_id]] = [c.sources.get(theme_id, "") for c in codes]
    if model_id is not None:
        p = theme_columns(ids, "p")
        for theme_id in ids:
            columns[p[theme_id]] = [round(c.scores[theme_id], 3) if c.scores and theme_id in c.scores else ""
                                    for c in codes]
    return pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)
