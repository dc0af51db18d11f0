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


def restore_defused(value: object) -> object:
    """Undo `writing.defuse_formula`: `'=SUM(A1)` becomes `=SUM(A1)`; `'t Is leuk` stays as it is.

    Coded CSVs protect spreadsheet users by prefixing `'` to cells that start like a formula; a
    program reading the file back wants the respondent's own words.
    """
    from .writing import FORMULA_PREFIXES

    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def read_coded(path, *, require=("id", "themes")):
    """Read a coded file (CSV, XLSX or SPSS) into a frame of strings, cells as the respondent wrote them."""
    from ..errors import InputFileError
    from .answers import read_table

    frame = read_table(path)
    missing = [c for c in require if c not in frame.columns]
    if missing:
        raise InputFileError(f"missing column '{missing[0]}' (is this a coded output of `kcc-text code`?)", path)
    frame = frame.map(restore_defused)
    frame["id"] = frame["id"].astype(str).str.strip()
    return frame


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
            columns[p[theme_id]] = [round(c.scores.get(theme_id, 0.0), 3) if c.scores else "" for c in codes]
    return pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)
