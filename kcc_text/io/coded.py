"""The coded-output format: its columns, and the one place that writes and reads them.

A coded file is the corpus (rows in input order, all columns) plus `themes` (ids joined by `;`),
`needs_review`, `codebook`, `pipeline`, `model`, `confidence`, `source` (`machine`, or `human`
where a person's codes replaced the machine's), `non_answer` (1 for "n.v.t.", "weet niet", ...),
`evidence` (`theme: word, word | theme: ...`) and per theme `th_<id>` (0/1), `src_<id>` (rules,
model, both, or human) and `p_<id>` (probability). Rows carrying a person's codes also have
`coder` and `coded_at` (who decided, when).
Theme column names are made SPSS-safe (<= 64 bytes, unique case-insensitively), so a theme id
is read back through the codebook's mapping, or from `themes` when there is no codebook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cells import cell_text

THEME_SEPARATOR = ";"
OUTPUT_COLUMNS = ("themes", "needs_review", "codebook", "pipeline", "model", "evidence", "confidence",
                  "source", "non_answer")
HUMAN, MACHINE = "human", "machine"  # values of `source`
PROVENANCE_COLUMNS = ("coder", "coded_at")  # of the human decision a row carries
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


@dataclass(frozen=True)
class ThemeCodes:
    """A batch's codes by theme column, as arrays: what `coded_frame` writes (see `coding.Coder.code_batch`)."""

    sources: object  # (n, themes) str: rules, model or both where the theme is assigned, else ""
    scores: object  # (n, themes) float probabilities, or None without a model
    applies: object  # (n, themes) bool: the theme applies to the answer's question (has a probability)
    needs_review: object  # (n,) bool
    confidence: object  # (n,) float array, or None without a model (or a list with None where there is none)
    evidence: list  # per answer: theme id -> matched words, assigned themes only
    themes: list | None = None  # per answer: its theme ids in their order; None: the assigned ones, codebook order

    @classmethod
    def of(cls, codes, theme_ids) -> "ThemeCodes":
        """From `coding.AnswerCode`s."""
        import numpy as np

        n, k = len(codes), len(theme_ids)
        sources = np.array([[c.sources.get(t, "") for t in theme_ids] for c in codes], dtype=object).reshape(n, k)
        scored = any(c.scores is not None for c in codes)
        scores = np.array([[(c.scores or {}).get(t, 0.0) for t in theme_ids] for c in codes]).reshape(n, k)
        applies = np.array([[t in (c.scores or {}) for t in theme_ids] for c in codes], dtype=bool).reshape(n, k)
        return cls(sources=sources, scores=scores if scored else None, applies=applies,
                   needs_review=np.array([bool(c.needs_review) for c in codes], dtype=bool),
                   confidence=[c.confidence for c in codes], evidence=[c.evidence for c in codes],
                   themes=[c.themes for c in codes])


def _columns(flat: list, k: int, n: int) -> list[list]:
    """A flat list of k columns of n values each, as k lists."""
    return [flat[j * n:(j + 1) * n] for j in range(k)]


def _theme_lists(assigned, ids) -> list[str]:
    """The `themes` cell of each row of a boolean (answers x themes) matrix: each distinct set of
    themes is joined once (answers share few sets)."""
    import numpy as np

    n, k = assigned.shape
    if n == 0 or k == 0:
        return [""] * n
    sets, inverse = np.unique(assigned, axis=0, return_inverse=True)
    joined = [join_themes(t for t, a in zip(ids, row) if a) for row in sets.tolist()]
    return [joined[i] for i in inverse.reshape(-1).tolist()]


def round3(values):
    """`round(v, 3)` of each value, as a list of floats: numpy's rounding, and Python's where they may differ.

    numpy multiplies by 1000 and rounds to an integer; only a value within a hair of a half
    (xxx.5 after the multiplication) can come out otherwise than Python's correctly rounded
    `round`, so those few are rounded by Python.
    """
    import numpy as np

    values = np.asarray(values, dtype=float)
    rounded = np.round(values, 3)
    scaled = values * 1000.0
    near_half = np.flatnonzero((np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6) | ~(np.abs(values) <= 1e3))
    out = rounded.tolist()
    for i, v in zip(near_half.tolist(), values[near_half].tolist()):
        out[i] = round(v, 3)
    return out


def coded_frame(chunk, codes, *, codebook, pipeline: str, model_id: str | None, yes_no: set | None = None):
    """The coded rows of a chunk of answers: its columns, then the coded-output columns.

    `codes`: `coding.AnswerCode`s, or the same as a `ThemeCodes` (much faster for many answers).
    `yes_no`: the questions answered yes/no, when known beyond this chunk (`analysis.non_answers`).
    """
    import numpy as np
    import pandas as pd

    from ..analysis.non_answers import flag_non_answers

    ids = codebook.theme_ids
    if not isinstance(codes, ThemeCodes):
        codes = ThemeCodes.of(list(codes), ids)
    sources = np.asarray(codes.sources)
    out = chunk.copy().reset_index(drop=True)
    if codes.themes is None:
        assigned = sources != ""
        out["themes"] = _theme_lists(assigned, ids)
    else:
        assigned = np.array([[t in themes for t in ids] for themes in codes.themes], dtype=bool).reshape(
            len(out), len(ids))
        out["themes"] = [join_themes(themes) for themes in codes.themes]
    out["needs_review"] = np.asarray(codes.needs_review).astype(np.int64)
    out["codebook"] = codebook.ref
    out["pipeline"] = pipeline
    if model_id is not None:
        out["model"] = model_id
    confidence = codes.confidence
    if confidence is None:
        out["confidence"] = [""] * len(out)
    elif isinstance(confidence, np.ndarray):
        out["confidence"] = round3(confidence)
    else:
        out["confidence"] = [round(c, 3) if c is not None else "" for c in confidence]
    out["source"] = MACHINE
    questions = chunk["question"].tolist() if "question" in chunk.columns else None
    out["non_answer"] = [int(flag) for flag in flag_non_answers(chunk["text"].tolist(), questions,
                                                                 codebook.non_answers, yes_no=yes_no)]
    out["evidence"] = [format_evidence(e) for e in codes.evidence]
    th, src = theme_columns(ids, "th"), theme_columns(ids, "src")
    columns = {}
    for j, theme_id in enumerate(ids):
        columns[th[theme_id]] = assigned[:, j].astype(np.int64)
    for j, theme_id in enumerate(ids):
        columns[src[theme_id]] = sources[:, j].tolist()
    if model_id is not None:
        p = theme_columns(ids, "p")
        scored = codes.scores is not None
        if scored:  # rounded in one pass, then read column by column
            scores = np.asarray(codes.scores, dtype=float)
            rounded = _columns(round3(scores.T.reshape(-1)), len(ids), len(out))
            applies = np.asarray(codes.applies, dtype=bool).T.tolist()
        for j, theme_id in enumerate(ids):
            if scored:
                columns[p[theme_id]] = [v if a else "" for v, a in zip(rounded[j], applies[j])]
            else:
                columns[p[theme_id]] = [""] * len(out)
    return pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)


def input_columns(frame) -> list[str]:
    """The columns a coded frame took from its answers file: what `code` adds is left out."""
    ours = set(PROVENANCE_COLUMNS) if "source" in frame.columns else set()
    return [c for c in frame.columns if not is_output_column(c) and c not in ours]


def file_theme_ids(frame) -> list[str]:
    """Theme ids a coded frame knows without its codebook: its `th_` columns, then any other in `themes`."""
    seen = dict.fromkeys(c[3:] for c in frame.columns if c.startswith("th_"))
    if "themes" in frame.columns:
        for value in frame["themes"]:
            seen.update(dict.fromkeys(split_themes(value)))
    return list(seen)


def with_human_codes(frame, decisions, theme_ids):
    """`frame` with a person's codes on the rows in `decisions` (row position -> (themes, coder, coded_at)).

    On those rows `themes`, `th_<id>` and `src_<id>` (`human` for each theme the person gave) say
    what the person decided, `needs_review` is 0, `source` is `human`, `coder` and `coded_at` name
    the decision, and `evidence` keeps only the words of themes the person kept. Every other cell,
    and every other row, stays as it was (`confidence` and `p_<id>` remain the machine's).
    """
    from ..errors import UsageError

    out = frame.copy()
    if "source" not in out.columns:
        at = list(out.columns).index("confidence") + 1 if "confidence" in out.columns else len(out.columns)
        out.insert(at, "source", MACHINE)
    for offset, name in enumerate(PROVENANCE_COLUMNS):
        if name not in out.columns:
            out.insert(list(out.columns).index("source") + 1 + offset, name, "")
        else:
            foreign = [i for i, (v, s) in enumerate(zip(out[name], out["source"]))
                       if cell_text(v) and cell_text(s) != HUMAN]
            if foreign:
                raise UsageError(f"column '{name}' has values on rows not coded by a person (row {foreign[0] + 2}): "
                                 "it is respondent data, not the coder of human codes; rename it")
    th, src = theme_columns(theme_ids, "th"), theme_columns(theme_ids, "src")
    missing = [th[t] for t in theme_ids if th[t] not in out.columns]
    if missing:
        raise UsageError(f"the coded file has no column '{missing[0]}' (is it the long output of `code`?)")
    columns = {name: out[name].tolist() for name in
               ["themes", "needs_review", "source", "evidence", *PROVENANCE_COLUMNS, *th.values(), *src.values()]
               if name in out.columns}
    for row, (themes, coder, coded_at) in decisions.items():
        kept = [t for t in theme_ids if t in themes]
        columns["themes"][row] = join_themes(kept)
        columns["needs_review"][row] = _like(columns["needs_review"], 0)
        columns["source"][row] = HUMAN
        columns["coder"][row], columns["coded_at"][row] = coder, coded_at
        if "evidence" in columns:
            shown = {t: words for t, words in parse_evidence(cell_text(columns["evidence"][row])).items() if t in kept}
            columns["evidence"][row] = format_evidence(shown)
        for theme_id in theme_ids:
            columns[th[theme_id]][row] = _like(columns[th[theme_id]], int(theme_id in kept))
            if src[theme_id] in columns:
                columns[src[theme_id]][row] = HUMAN if theme_id in kept else ""
    for name, values in columns.items():
        out[name] = values
    return out


def _like(values: list, number: int):
    """`number` as the column holds its values: text in a file read back, a number in a fresh frame."""
    return str(number) if any(isinstance(v, str) for v in values) else number
