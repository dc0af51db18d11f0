"""Audits: a random sample to code by hand, a person's codes put in the place of the machine's,
and the auto-coding cut-off that an audit certifies.

Sampling
--------
Each stratum (by default each wave x question) gets a simple random sample of n answers,
drawn without replacement by numpy's `default_rng`. Only answers that say something are
drawn: a blank answer or a non-answer ("n.v.t.", "weet niet"; `analysis.non_answers`) has no
theme, a person cannot code a blank one, and both are left out of the base of `shift`'s shares,
so the audit is a simple random sample of exactly that base. A stratum's generator is seeded
with the seed and the stratum's values, and its answers are put in id order before the draw:
the same seed gives the same sample whatever order the rows are in, and a wave added to the
file later does not change the sample of the others.

A person's codes
----------------
A labels file is an append-only log (`io.labels`); per answer its latest decision counts.
Two decisions equally late by different coders that disagree cannot be ordered, so they are
refused rather than merged (the union would be a code nobody gave).

Audit-checked auto-coding
-------------------------
The audited answers were coded by the machine as well; whether the machine's whole theme set
equals the person's is known for each. `ppi.audit_cutoff` takes the lowest confidence at which
the audited answers above it are right at least P of the time with 95% confidence
(one-sided Clopper-Pearson bound, fixed-sequence testing from the most confident answers
down). Because the audit is a random sample of the answers, the bound holds for the answers
coded automatically. Nothing here reads or writes files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import InputFileError, UsageError
from ..io.coded import cell_text, split_themes

CERTIFY_TARGETS = (0.8, 0.9, 0.95)
LEVEL = 0.95
RANDOM_AUDIT_P = 0.01  # as `shift`: below this the audited answers' confidences look picked


# --- sampling -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stratum:
    """One group of the sample: its values in the `by` columns and what was drawn from it."""

    values: tuple[str, ...]
    answers: int  # rows in the coded file
    non_answers: int  # blank answers and non-answers, left out of the draw
    sampled: int

    @property
    def eligible(self) -> int:
        return self.answers - self.non_answers

    def name(self, by: Sequence[str]) -> str:
        return ", ".join(f"{column} {value or '(empty)'}" for column, value in zip(by, self.values)) or "all answers"


@dataclass(frozen=True)
class AuditSample:
    frame: object  # the drawn rows (pandas DataFrame), in input order, with the answers file's columns only
    strata: tuple[Stratum, ...]
    by: tuple[str, ...]
    n: int
    seed: int

    def whole(self) -> list[Stratum]:
        """Strata with no more than n answers to draw from: taken whole."""
        return [s for s in self.strata if s.eligible <= self.n]


def default_strata(frame) -> tuple[str, ...]:
    """wave x question, as far as the file has those columns."""
    return tuple(c for c in ("wave", "question") if c in frame.columns)


def new_seed() -> int:
    """A fresh seed, for a sample nobody asked to repeat (it is recorded so that it can be)."""
    import secrets

    return secrets.randbelow(2 ** 32)


def draw_sample(frame, n: int, *, by: Sequence[str] | None = None, seed: int) -> AuditSample:
    """A simple random sample of `n` answers per stratum of a coded frame (module docstring)."""
    import numpy as np

    from ..io.coded import input_columns

    if n < 1:
        raise UsageError(f"must be at least 1 (got {n})", setting="n")
    if seed < 0:
        raise UsageError(f"must be a whole number of at least 0 (got {seed})", setting="seed")
    by = tuple(default_strata(frame) if by is None else by)
    unknown = [c for c in by if c not in frame.columns]
    if unknown:
        raise UsageError(f"no column '{unknown[0]}' to form strata by (columns: {', '.join(map(str, frame.columns))})")
    for column in ("id", "text"):
        if column not in frame.columns:
            raise InputFileError(f"missing column '{column}' (is this a coded output of `kcc-text code`?)")
    ids = [cell_text(v) for v in frame["id"]]
    skip = non_answer_flags(frame)
    groups: dict[tuple[str, ...], list[int]] = {}
    for row, values in enumerate(zip(*(frame[c].map(cell_text) for c in by)) if by else ((),) * len(frame)):
        groups.setdefault(tuple(values), []).append(row)
    chosen, strata = [], []
    for values, rows in groups.items():
        eligible = sorted((r for r in rows if not skip[r]), key=lambda r: ids[r])
        if len(eligible) > n:
            rng = np.random.default_rng([seed, _stable_int(values)])
            picked = [eligible[i] for i in rng.choice(len(eligible), size=n, replace=False)]
        else:
            picked = eligible
        chosen.extend(picked)
        strata.append(Stratum(values, len(rows), len(rows) - len(eligible), len(picked)))
    drawn = frame.iloc[sorted(chosen)][input_columns(frame)].reset_index(drop=True)
    return AuditSample(drawn, tuple(strata), by, n, seed)


def _stable_int(values: tuple[str, ...]) -> int:
    """A number for a stratum that is the same in every run (Python's hash() is not)."""
    return int.from_bytes(hashlib.sha256("\x1f".join(values).encode("utf-8")).digest()[:8], "big")


def non_answer_flags(frame) -> list[bool]:
    """Per row: blank or a non-answer? The coded file's `non_answer` column, else the Dutch list on the text."""
    if "non_answer" in frame.columns:
        flagged = [cell_text(v).lower() in ("1", "1.0", "true") for v in frame["non_answer"]]
        return [f or not cell_text(t) for f, t in zip(flagged, frame["text"])]
    from .non_answers import flag_non_answers

    questions = list(frame["question"]) if "question" in frame.columns else None
    return flag_non_answers(list(frame["text"]), questions)


# --- a person's codes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HumanCode:
    """The latest decision a person made about one answer."""

    themes: frozenset[str]
    coder: str
    coded_at: str


def latest_decisions(labels) -> dict[str, HumanCode]:
    """Answer key (the labels' `id`) -> its latest decision; equally late disagreeing decisions are refused."""
    decisions: dict[str, dict[tuple[str, str], set[str]]] = {}
    for key, theme, coder, stamp in zip(labels["id"], labels["theme"], labels["coder"], labels["coded_at"]):
        found = decisions.setdefault(key, {})
        themes = found.setdefault((cell_text(stamp), cell_text(coder)), set())
        if cell_text(theme):
            themes.add(cell_text(theme))
    result = {}
    for key, found in decisions.items():
        last = max(stamp for stamp, _ in found)
        current = {coder: frozenset(themes) for (stamp, coder), themes in found.items() if stamp == last}
        if len(set(current.values())) > 1:
            names = " and ".join(sorted(current))
            raise UsageError(f"answer {key} has different decisions by {names}, none later than the other "
                             f"(coded_at {last or 'empty'}): keep one coder's rows, or give the later one its time")
        coder = ", ".join(sorted(current))
        result[key] = HumanCode(next(iter(current.values())), coder, last)
    return result


def human_rows(frame, labels, *, labels_path=None, coded_path=None) -> dict[int, HumanCode]:
    """Row position in `frame` -> the person's latest decision, for every answer the labels code.

    Answers are matched on id, or on (id, question) when a file repeats ids across questions
    (`io.keys`). Every coded answer must be a row of `frame`.
    """
    from pathlib import Path

    from ..io.keys import answer_keys, keyed_by_question, with_keys

    by_question = keyed_by_question(frame, labels)
    decisions = latest_decisions(with_keys(labels, by_question, labels_path))
    keys = list(answer_keys(frame, by_question, coded_path))
    position = {key: row for row, key in enumerate(keys)}
    absent = [key for key in decisions if key not in position]
    if absent:
        where = Path(coded_path).name if coded_path is not None else "the coded answers"
        shown = ", ".join(absent[:5]) + (f", ... ({len(absent) - 5} more)" if len(absent) > 5 else "")
        raise InputFileError(f"{len(absent)} coded answer(s) are not in {where}: {shown}", labels_path)
    return {position[key]: code for key, code in decisions.items()}


def check_themes(labels, known: Sequence[str], labels_path=None, *, hint: str = "") -> None:
    """Every theme the labels give must be one the coded answers know."""
    unknown = sorted({cell_text(t) for t in labels["theme"]} - set(known) - {""})
    if unknown:
        line = int(labels["theme"].map(cell_text).isin(unknown).to_numpy().argmax()) + 2
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise InputFileError(f"theme '{unknown[0]}' is not in the coded file{more}{hint}", labels_path, line=line)


@dataclass(frozen=True)
class MergeSummary:
    rows: int
    human: int  # rows that now carry a person's codes
    changed: int  # of those, rows whose theme set differs from the one the file had
    coders: dict[str, int]  # rows per coder


def merge_human(frame, decisions: Mapping[int, HumanCode], theme_ids: Sequence[str]):
    """The coded frame with the person's codes on the rows they decided; returns (frame, MergeSummary)."""
    from collections import Counter

    from ..io.coded import with_human_codes

    before = [frozenset(split_themes(v)) for v in frame["themes"]]
    merged = with_human_codes(frame, {row: (c.themes, c.coder, c.coded_at) for row, c in decisions.items()},
                              theme_ids)
    changed = sum(1 for row, code in decisions.items() if before[row] != code.themes)
    return merged, MergeSummary(len(frame), sum(1 for v in merged["source"] if cell_text(v) == "human"), changed,
                                dict(Counter(c.coder for c in decisions.values())))


# --- audit-checked auto-coding ------------------------------------------------------------------


@dataclass(frozen=True)
class AuditCheck:
    """What an audit certifies about the machine's codes of the other answers."""

    target: float
    cutoff: object  # ppi.AutoCodeCutoff at the target
    certifiable: dict  # target -> ppi.AutoCodeCutoff, for CERTIFY_TARGETS
    auto_shares: dict  # target -> share of the non-audited answers coded automatically at its cut-off
    n_audited: int
    n_others: int  # answers not audited
    n_auto: int  # of those, coded automatically at the target
    randomness_p: float  # Mann-Whitney U of the audited answers' confidence against the others'

    @property
    def share(self) -> float:
        return self.n_auto / self.n_others if self.n_others else 0.0

    @property
    def looks_random(self) -> bool:
        return not self.randomness_p < RANDOM_AUDIT_P


def audit_coding(frame, decisions: Mapping[int, HumanCode], theme_ids: Sequence[str], target: float, *,
                 level: float = LEVEL):
    """Coded answers checked by an audit: returns (frame, AuditCheck).

    Audited rows carry the person's codes (`source` = human, `needs_review` = 0). Every other
    row is coded automatically (`needs_review` = 0) when its confidence reaches the cut-off the
    audit certifies for `target`, or when its text is blank; else it goes to a person.
    """
    import numpy as np
    import pandas as pd

    from ..io.coded import with_human_codes
    from .ppi import audit_cutoff, audit_randomness, certifiable_shares

    if not 0 < target < 1:
        raise UsageError(f"must be between 0 and 1 (got {target})", setting="target_precision")
    conf = (pd.to_numeric(frame["confidence"], errors="coerce").to_numpy(dtype=float)
            if "confidence" in frame.columns else np.full(len(frame), np.nan))
    if np.isnan(conf).all():
        raise UsageError("an audit checks the model's confidence in each answer: code with a trained model")
    if not decisions:
        raise UsageError("the audit codes none of the answers")
    audited = np.zeros(len(frame), dtype=bool)
    audited[list(decisions)] = True
    rows = sorted(decisions)
    machine = [frozenset(split_themes(frame["themes"].iloc[row])) for row in rows]
    right = [int(m == decisions[row].themes) for m, row in zip(machine, rows)]
    cut = audit_cutoff(conf[rows], right, target, level=level)
    certifiable = certifiable_shares(conf[rows], right, CERTIFY_TARGETS, level=level)
    has_text = "text" in frame.columns
    blank = np.array([not cell_text(t) for t in frame["text"]], bool) if has_text else np.zeros(len(frame), bool)
    others = ~audited

    def auto_at(c) -> np.ndarray:
        reached = conf >= c.cutoff if c.cutoff is not None else np.zeros(len(frame), bool)
        return others & (reached | blank)

    auto = auto_at(cut)
    n_others = int(others.sum())
    # The audit was drawn from answers that say something (`draw_sample`): compare it with those.
    said = ~np.array(non_answer_flags(frame), bool) if has_text else np.ones(len(frame), bool)
    check = AuditCheck(target=target, cutoff=cut, certifiable=certifiable,
                       auto_shares={t: int(auto_at(c).sum()) / n_others if n_others else 0.0
                                    for t, c in certifiable.items()},
                       n_audited=len(rows), n_others=n_others, n_auto=int(auto.sum()),
                       randomness_p=audit_randomness(conf[audited & said], conf[others & said]))
    out = frame.copy()
    review = [int(not a) for a in auto]
    out["needs_review"] = [0 if a else r for a, r in zip(audited, review)]
    out = with_human_codes(out, {row: (c.themes, c.coder, c.coded_at) for row, c in decisions.items()}, theme_ids)
    return out, check
