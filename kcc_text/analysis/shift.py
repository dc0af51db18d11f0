"""Theme shift between groups of answers: shares per theme, their difference, an interval and a test.

Two groups (a and b). Per question and theme the answers of group a and group b form a 2x2
table (theme yes/no by group). The difference is b - a in percentage points with
Newcombe's hybrid score interval (Newcombe 1998, method 10, no continuity correction); each
theme is tested with Fisher's exact test or Pearson's chi-square test, and the p-values of
one question's themes are corrected together (Holm, Benjamini-Hochberg or none). Each share
has its Wilson score interval.

Three or more groups and no --from/--to: every group's share with its Wilson interval and
one test of equal shares per theme across all groups (chi-square, or a Monte Carlo exact test
when expected counts are small; `analysis.ppi.homogeneity_test`), corrected over the themes.

With an audit (a simple random sample of each group coded by a person), shares,
differences, intervals and tests are prediction-powered (PPI++) estimates that correct the
machine's errors (`analysis.ppi`); the machine-only figures are kept beside them.

The base of a share is the group's answers to the question, without non-answers (blank,
"n.v.t.", "weet niet"; `analysis.non_answers`) unless they are asked for. Numbers are kept
at full precision; rounding is for the table and markdown views. Statistics come from scipy
and statsmodels; nothing here prints.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputFileError, UsageError
from ..io.coded import cell_text as _cell, split_themes as _split
from ..io.writing import defuse_formula

# The contract's `shift --format csv` columns, in order; `question` leads them when rows span questions.
COLUMNS = ["theme", "label", "n_a", "pct_a", "n_b", "pct_b", "diff_pp", "ci_low", "ci_high",
           "p_value", "p_adjusted"]
SHARE_COLUMNS = ["pct_a_low", "pct_a_high", "pct_b_low", "pct_b_high"]  # every report
AUDIT_COLUMNS = ["pct_a_machine", "pct_b_machine", "diff_pp_machine", "n_audit_a", "n_audit_b"]  # with --audit
# Three or more groups: one row per theme and group; the test is per theme, repeated on its rows.
GROUP_COLUMNS = ["theme", "label", "group", "answers", "n", "pct", "pct_low", "pct_high", "test", "statistic",
                 "df", "p_value", "p_adjusted"]
GROUP_AUDIT_COLUMNS = ["pct_machine", "n_audit"]

TESTS = {
    "fisher": ("Fisher's exact test (two-sided)", "scipy.stats.fisher_exact"),
    "chi2": ("Pearson chi-square test without Yates' continuity correction",
             "scipy.stats.chi2_contingency(correction=False)"),
}
CORRECTIONS = {
    "holm": ("Holm", "statsmodels multipletests(method='holm')"),
    "fdr_bh": ("Benjamini-Hochberg", "statsmodels multipletests(method='fdr_bh')"),
    "none": ("no correction", "p_adjusted equals p_value"),
}
INTERVAL = ("newcombe", "Newcombe hybrid score interval",
            "statsmodels confint_proportions_2indep(method='newcomb', compare='diff')")
SHARE_INTERVAL = ("wilson", "Wilson score interval", "statsmodels proportion_confint(method='wilson')")
ESTIMATOR = ("ppi++", "prediction-powered inference (PPI++, power-tuned lambda; Angelopoulos, Duchi & "
             "Zrnic 2023), machine codes of the non-audited answers corrected by a simple random audit")
PPI_INTERVAL = ("ppi-wald", "Wald interval of the prediction-powered estimates",
                "kcc_text.analysis.ppi (checked against ppi_py.ppi_mean_ci)")
PPI_TEST = ("wald-z", "two-sided Wald z test on the prediction-powered estimates")
GROUPS_TEST = ("chi2-homogeneity", "Pearson chi-square test of homogeneity without continuity correction, or "
               "where an expected count is below 5 a Monte Carlo exact test of the same statistic (9999 tables "
               "with the observed margins, fixed seed)",
               "scipy.stats.chi2_contingency(correction=False[, method=MonteCarloMethod])")
GROUPS_PPI_TEST = ("wald-chi2", "Wald chi-square test of equal prediction-powered shares (k - 1 df)")

# Rules of thumb from Cochran (1954): expected counts below 5 make chi-square p-values unreliable,
# and below about 30 answers a group's shares (or an audit's corrections) move by several points per answer.
MIN_EXPECTED = 5
MIN_GROUP = 30
MIN_AUDIT = 30
# A two-sample test below this p-value says the audited answers differ from the rest. Strict, because
# it runs once per question and group and a false alarm would send a researcher to re-draw a good audit.
RANDOM_AUDIT_P = 0.01


@dataclass(frozen=True)
class ThemeRef:
    """A theme as the shift report needs it (a codebook Theme has the same three fields)."""

    id: str
    label: str
    questions: frozenset[str] | None = None


@dataclass
class ShiftResult:
    """The shift report: `table` holds the report's columns; the rest says how it was made."""

    table: Any  # pandas DataFrame
    method: dict[str, Any]
    groups: tuple[str, ...]  # (a, b) for a pairwise report; every group, in data order, otherwise
    by: str
    n: dict[str | None, dict[str, int]]  # answers in the base per question (None: no questions) and group
    warnings: list[str] = field(default_factory=list)
    questions: list[str | None] = field(default_factory=list)  # the questions compared, in data order
    question: str | None = None  # the question asked for, if any
    # What produced the codes: codebook, Dutch pipeline and model, read from a coded file.
    provenance: dict[str, list[str]] = field(default_factory=dict)
    kind: str = "pairwise"  # "pairwise" (groups a and b) or "groups" (three or more, omnibus test)
    audited: bool = False  # the estimates are corrected by an audit
    non_answers: dict[str | None, dict[str, int]] = field(default_factory=dict)  # per question and group
    include_non_answers: bool = False
    n_audit: dict[str | None, dict[str, int]] = field(default_factory=dict)  # audited answers in the base

    @property
    def columns(self) -> list[str]:
        """The report's columns without the leading `question`."""
        return [c for c in self.table.columns if c != "question"]

    def sections(self):
        """Yield (question, rows of that question) in the order of `questions`."""
        for question in self.questions:
            if "question" in self.table.columns:
                rows = self.table[self.table["question"] == question]
            else:
                rows = self.table
            yield question, rows.reset_index(drop=True)


def split_themes(value: object) -> frozenset[str]:
    """Theme ids of one coded answer (`a;b`); empty or missing means no theme."""
    return frozenset(_split(value))


def theme_shift(frame, themes: Sequence | None = None, *, by: str = "wave", group_a: str | None = None,
                group_b: str | None = None, question: str | None = None, test: str = "fisher",
                correction: str = "holm", confidence: float = 0.95,
                audit: Mapping[Any, Iterable[str]] | None = None, include_non_answers: bool = False,
                non_answer_phrases: Iterable[str] = ()) -> ShiftResult:
    """Compare theme shares between groups of coded answers, per question.

    `frame` has one row per answer with a `themes` column (ids joined by `;`), the `by`
    column and optionally `question`, `text`, `non_answer` and `confidence`. `themes` are
    objects with `.id`, `.label` and `.questions` (None: all questions); None takes the ids
    found in the data per question. Two groups: a and b default to the two in the data; with
    three or more and neither end given, every group is reported with an omnibus test.
    `audit` maps an answer id (or (id, question) when ids repeat across questions) to the
    themes a person gave it: the estimates are then audit-corrected.
    """
    check_options(test, correction, confidence)
    if "themes" not in frame.columns:
        raise UsageError("no 'themes' column: expected coded answers (the output of kcc-text code)")
    assigned = [split_themes(value) for value in frame["themes"]]
    audit_sets = None
    if audit is not None:
        audit_sets = audit_by_row(frame, audit)
    result = _shift(frame, assigned, themes, by=by, group_a=group_a, group_b=group_b, question=question,
                    test=test, correction=correction, confidence=confidence,
                    base="the group's answers to the question, including answers without a theme",
                    notes=[], include_non_answers=include_non_answers, phrases=tuple(non_answer_phrases),
                    audit_sets=audit_sets)
    result.provenance = {column: sorted({_cell(v) for v in frame[column]} - {""})
                         for column in ("codebook", "pipeline", "model") if column in frame.columns}
    return result


def shift_from_labels(frame, label_sets: Mapping[str, Iterable[str]], themes: Sequence | None = None, *,
                      by: str = "wave", group_a: str | None = None, group_b: str | None = None,
                      question: str | None = None, test: str = "fisher", correction: str = "holm",
                      confidence: float = 0.95, include_non_answers: bool = False,
                      non_answer_phrases: Iterable[str] = ()) -> ShiftResult:
    """The same comparison on human codes: only answers present in `label_sets` (coded) count.

    `label_sets` maps answer id -> theme ids (as `kcc_text.labels.label_sets` returns); the
    base of a share is then the coded answers of that group and question.
    """
    check_options(test, correction, confidence)
    if "id" not in frame.columns:
        raise InputFileError("no 'id' column to join the labels on")
    ids = [_cell(value) for value in frame["id"]]
    coded = [answer_id in label_sets for answer_id in ids]
    notes = []
    missing = len(set(label_sets) - set(ids))
    if missing:
        notes.append(f"{missing} coded answer(s) in the labels are not in the answers file and were left out")
    if not any(coded):
        raise UsageError("none of the answers has been coded in the labels (no id in common)")
    subset = frame[coded].reset_index(drop=True)
    assigned = [frozenset(label_sets[answer_id]) for answer_id, keep in zip(ids, coded) if keep]
    return _shift(subset, assigned, themes, base="the group's answers to the question that a person coded (in "
                  "the labels), including those coded as having no theme", notes=notes, by=by,
                  group_a=group_a, group_b=group_b, question=question, test=test, correction=correction,
                  confidence=confidence, include_non_answers=include_non_answers,
                  phrases=tuple(non_answer_phrases), audit_sets=None)


def audit_by_row(frame, audit: Mapping[Any, Iterable[str]]) -> list[frozenset[str] | None]:
    """Per row of `frame`, the themes a person gave it in the audit (None: not audited).

    Keys are answer ids, or (id, question) pairs when the coded file repeats ids across
    questions. Every audited answer must be in the coded file: an audit of other answers
    says nothing about these codes.
    """
    if "id" not in frame.columns:
        raise InputFileError("no 'id' column to join the audit on")
    ids = [_cell(v) for v in frame["id"]]
    paired = any(isinstance(key, tuple) for key in audit)
    if paired:
        if "question" not in frame.columns:
            raise UsageError("the audit names questions, but the coded file has no 'question' column")
        keys = list(zip(ids, (_cell(v) for v in frame["question"])))
    else:
        if len(set(ids)) < len(ids):
            raise UsageError("the coded file repeats ids (one row per id and question): the audit labels need a "
                             "'question' column to tell the rows apart")
        keys = ids
    absent = [key for key in audit if key not in set(keys)]
    if absent:
        shown = [f"{k[0]} ({k[1]})" if isinstance(k, tuple) else str(k) for k in absent]
        raise InputFileError(f"{len(absent)} audited answer(s) are not in the coded file: {_listing(shown, 5)}")
    if "source" in frame.columns:
        human = [key for key, source in zip(keys, frame["source"]) if key in audit and _cell(source) == "human"]
        if human:
            raise UsageError(f"{len(human)} audited answer(s) carry human codes in the coded file (source = human): "
                             "the correction needs the machine's own codes of the audited answers; use the file "
                             "coded without --audit (before merge)")
    return [frozenset(audit[key]) if key in audit else None for key in keys]


def themes_in_data(assigned: Sequence[frozenset[str]], questions: Sequence[str | None]) -> list[ThemeRef]:
    """Themes found in the data, each applying to the questions where it occurs (ids as labels)."""
    seen: dict[str, set] = {}
    for ids, question in zip(assigned, questions):
        for theme_id in ids:
            seen.setdefault(theme_id, set()).add(question)
    refs = []
    for theme_id in sorted(seen):
        where = seen[theme_id]
        refs.append(ThemeRef(theme_id, theme_id, None if None in where else frozenset(where)))
    return refs


def check_options(test: str, correction: str, confidence: float = 0.95) -> None:
    """Refuse an unknown test or correction, or a confidence level outside (0, 1)."""
    if test not in TESTS:
        raise UsageError(f"unknown test '{test}' (choose {' or '.join(TESTS)})")
    if correction not in CORRECTIONS:
        raise UsageError(f"unknown correction '{correction}' (choose {', '.join(CORRECTIONS)})")
    if not 0 < confidence < 1:
        raise UsageError(f"confidence must be between 0 and 1 (got {confidence})")


def _listing(values: Iterable, limit: int = 15) -> str:
    values = [str(v) for v in values]
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values) - limit} more)" if len(values) > limit else "")


def _pick_groups(order: list[str], by: str, group_a: str | None, group_b: str | None) -> tuple[str, str]:
    for given in (group_a, group_b):
        if given is not None and given not in order:
            raise UsageError(f"group '{given}' not found in column '{by}' (groups: {_listing(order)})")
    if len(order) < 2:
        found = f"only '{order[0]}'" if order else "no values"
        raise UsageError(f"column '{by}' has {found}: two groups are needed to compare")
    a = group_a if group_a is not None else order[0]
    b = group_b if group_b is not None else order[-1]
    if a == b:
        if group_a is not None and group_b is not None:
            raise UsageError(f"groups a and b are both '{a}': choose two different groups")
        # One end was given and equals the other default: take the nearest other end.
        if group_b is None:
            b = [g for g in order if g != a][-1]
        else:
            a = [g for g in order if g != b][0]
    return a, b


def _non_answer_flags(frame, question_of, phrases) -> tuple[list[bool], str]:
    """Per row: a non-answer? From the coded file's `non_answer` column, else from the text."""
    if "non_answer" in frame.columns:
        return [_cell(v).lower() in ("1", "1.0", "true", "ja", "yes") for v in frame["non_answer"]], "column"
    if "text" in frame.columns:
        from .non_answers import flag_non_answers

        return flag_non_answers(list(frame["text"]), question_of, phrases), "text"
    return [False] * len(frame), "none"


@dataclass
class _Cell:
    """One group's answers to one question, as row numbers of the frame."""

    rows: list[int] = field(default_factory=list)
    non_answers: int = 0


def _shift(frame, assigned: list[frozenset[str]], themes: Sequence | None, *, by: str, group_a, group_b,
           question, test: str, correction: str, confidence: float, base: str, notes: list[str],
           include_non_answers: bool, phrases: tuple[str, ...], audit_sets):
    if by not in frame.columns:
        raise UsageError(f"no column '{by}' to compare groups by (columns: {_listing(frame.columns)})")
    group_of = [_cell(value) for value in frame[by]]
    order = list(dict.fromkeys(g for g in group_of if g))
    warnings = list(notes)
    if group_a is None and group_b is None and len(order) >= 3:
        kind, groups = "groups", tuple(order)
    else:
        kind, groups = "pairwise", _pick_groups(order, by, group_a, group_b)
        if len(order) >= 3 and (group_a is None or group_b is None):
            chosen, role = (groups[1], "b") if group_b is None else (groups[0], "a")
            warnings.append(f"only one end given: group {role} is '{chosen}' ('{by}' has {len(order)} groups)")

    has_questions = "question" in frame.columns
    question_of = [_cell(v) for v in frame["question"]] if has_questions else [None] * len(frame)
    all_questions = list(dict.fromkeys(question_of))
    if question is not None:
        if not has_questions:
            raise UsageError(f"question '{question}' asked for, but the data has no 'question' column")
        if question not in all_questions:
            raise UsageError(f"question '{question}' not found (questions: {_listing(all_questions)})")
        questions = [question]
    else:
        questions = all_questions

    flags, flag_source = _non_answer_flags(frame, question_of, phrases)
    cells: dict[tuple, _Cell] = {}
    for i, (group, q) in enumerate(zip(group_of, question_of)):
        if group in groups and q in questions:
            cell = cells.setdefault((q, group), _Cell())
            cell.non_answers += flags[i]
            if include_non_answers or not flags[i]:
                cell.rows.append(i)

    if themes is None:
        counted = [i for cell in cells.values() for i in cell.rows]
        found = [assigned[i] | (audit_sets[i] or frozenset() if audit_sets is not None else frozenset())
                 for i in counted]
        themes = themes_in_data(found, [question_of[i] for i in counted])
    known = {t.id for t in themes}
    unknown = {t for cell in cells.values() for i in cell.rows for t in assigned[i]} - known
    if unknown:
        warnings.append(f"themes in the data that the codebook does not list were left out: "
                        f"{', '.join(sorted(unknown))}")
    if audit_sets is not None:
        unknown_audit = {t for cell in cells.values() for i in cell.rows for t in (audit_sets[i] or ())} - known
        if unknown_audit:
            raise InputFileError(f"audit theme(s) not among the themes compared: {', '.join(sorted(unknown_audit))}")
    scores = _machine_scores(frame, assigned) if audit_sets is not None else None

    split = question is None and len(questions) > 1
    rows, n, non_answers, n_audit, compared, family = [], {}, {}, {}, [], {}
    for q in questions:
        where = f"question '{q}': " if q is not None else ""
        sizes = {g: len(cells.get((q, g), _Cell()).rows) for g in groups}
        n[q] = sizes
        non_answers[q] = {g: cells.get((q, g), _Cell()).non_answers for g in groups}
        empty = [g for g in groups if sizes[g] == 0]
        if empty:
            warnings.append(f"{where}group '{empty[0]}' has no answers; question left out")
            continue
        compared.append(q)
        for group in groups:
            if sizes[group] < MIN_GROUP:
                warnings.append(f"{where}group '{group}' has only {sizes[group]} answers (fewer than {MIN_GROUP}): "
                                "its shares are rough")
        applicable = [t for t in themes if t.questions is None or q is None or q in t.questions]
        if audit_sets is not None:
            n_audit[q] = _audit_checks(q, groups, cells, audit_sets, scores, warnings, where, by)
        if not applicable:
            warnings.append(f"{where}no themes to compare")
            continue
        context = dict(q=q, assigned=assigned, cells=cells, audit_sets=audit_sets, confidence=confidence)
        if kind == "pairwise":
            q_rows = _pairwise_rows(applicable, groups, test=test, warnings=warnings, where=where, **context)
        else:
            q_rows = _group_rows(applicable, groups, **context)
        _adjust(q_rows, correction)
        family[q] = len(q_rows) if kind == "pairwise" else len(applicable)
        rows.extend(q_rows)
    if not compared:
        if len(questions) == 1:
            empty = [g for g in groups if n[questions[0]][g] == 0][0]
            where = f"question '{questions[0]}' has" if questions[0] is not None else "there are"
            raise UsageError(f"{where} no answers from group '{empty}' in column '{by}'")
        raise UsageError(f"no question has answers from every group ({', '.join(groups)}) in column '{by}'")

    audited = audit_sets is not None
    if kind == "pairwise":
        columns = COLUMNS + SHARE_COLUMNS + (AUDIT_COLUMNS if audited else [])
    else:
        columns = GROUP_COLUMNS + (GROUP_AUDIT_COLUMNS if audited else [])
    method = _method(kind, audited, test, correction, confidence, family, base, by, include_non_answers,
                     flag_source)
    return ShiftResult(table=_table(rows, columns, split), groups=groups, by=by, n=n, warnings=warnings,
                       questions=compared, question=question, method=method, kind=kind, audited=audited,
                       non_answers=non_answers, include_non_answers=include_non_answers, n_audit=n_audit)


def _machine_scores(frame, assigned):
    """What the randomness check compares: the machine's confidence, else how many themes it gave."""
    import numpy as np
    import pandas as pd

    if "confidence" in frame.columns:
        values = pd.to_numeric(frame["confidence"], errors="coerce").to_numpy(dtype=float)
        if not np.isnan(values).all():
            return values
    return np.array([len(ids) for ids in assigned], dtype=float)


def _audit_checks(q, groups, cells, audit_sets, scores, warnings, where, by) -> dict[str, int]:
    """Audited answers per group; refuse a group without any, warn when few or not random-looking."""
    from .ppi import audit_randomness

    counts = {}
    for group in groups:
        rows = cells[(q, group)].rows
        audited = [i for i in rows if audit_sets[i] is not None]
        counts[group] = len(audited)
        if not audited:
            raise UsageError(f"{where}no audited answers in group '{group}' of '{by}': the shares cannot be "
                             "corrected (audit that group, or choose groups or a question with --from/--to/-q)")
        if len(audited) < MIN_AUDIT:
            warnings.append(f"{where}the audit of group '{group}' has only {len(audited)} answers (fewer than "
                            f"{MIN_AUDIT}): its corrected shares have wide intervals")
        others = [i for i in rows if audit_sets[i] is None]
        p_value = audit_randomness(scores[audited], scores[others])
        if p_value < RANDOM_AUDIT_P:
            warnings.append(f"{where}the audited answers of group '{group}' do not look like a random sample (the "
                            f"machine's scores differ from the other answers', Mann-Whitney p = {p_value:.2g}): "
                            "the corrected estimates assume a simple random audit")
    return counts


def _codes(theme_id: str, rows: list[int], sets) -> list[int]:
    return [int(theme_id in sets[i]) for i in rows]


def _shares(theme_id, q, group, cells, assigned, audit_sets, confidence):
    """(ShareEstimate or None, machine count, rows) of one group: corrected when there is an audit."""
    from .ppi import ppi_share

    rows = cells[(q, group)].rows
    machine = _codes(theme_id, rows, assigned)
    if audit_sets is None:
        return None, sum(machine), len(rows)
    audited = [i for i in rows if audit_sets[i] is not None]
    others = [i for i in rows if audit_sets[i] is None]
    share = ppi_share(_codes(theme_id, audited, audit_sets), _codes(theme_id, audited, assigned),
                      _codes(theme_id, others, assigned), confidence=confidence)
    return share, sum(machine), len(rows)


def _pairwise_rows(themes, groups, *, q, assigned, cells, audit_sets, confidence, test, warnings, where):
    from .ppi import ppi_difference

    a, b = groups
    q_rows, small = [], []
    for theme in themes:
        share_a, k_a, n_a = _shares(theme.id, q, a, cells, assigned, audit_sets, confidence)
        share_b, k_b, n_b = _shares(theme.id, q, b, cells, assigned, audit_sets, confidence)
        row = {"question": q, "theme": theme.id, "label": str(theme.label or theme.id), "n_a": k_a, "n_b": k_b}
        if audit_sets is None:
            stats = _pair_stats(k_a, n_a, k_b, n_b, test, confidence)
            if stats.pop("small"):
                small.append(theme.id)
        else:
            diff = ppi_difference(share_a, share_b, confidence=confidence)
            pct_a, pct_b = 100 * share_a.estimate, 100 * share_b.estimate
            machine_a, machine_b = 100 * share_a.machine, 100 * share_b.machine
            stats = {"pct_a": pct_a, "pct_b": pct_b, "diff_pp": pct_b - pct_a, "ci_low": 100 * diff.low,
                     "ci_high": 100 * diff.high, "p_value": diff.p_value,
                     "pct_a_low": 100 * share_a.low, "pct_a_high": 100 * share_a.high,
                     "pct_b_low": 100 * share_b.low, "pct_b_high": 100 * share_b.high,
                     "pct_a_machine": machine_a, "pct_b_machine": machine_b,
                     "diff_pp_machine": machine_b - machine_a, "n_audit_a": share_a.n, "n_audit_b": share_b.n}
        q_rows.append({**row, **stats})
    if small:
        consequence = ("Fisher's test stays exact, but these shares rest on few answers" if test == "fisher"
                       else "the chi-square p-value is unreliable there; Fisher's exact test is safer")
        warnings.append(f"{where}expected count below {MIN_EXPECTED} in the 2x2 table of "
                        f"{', '.join(small)}: {consequence}")
    q_rows.sort(key=lambda r: (-abs(r["diff_pp"]), r["theme"]))
    return q_rows


def _group_rows(themes, groups, *, q, assigned, cells, audit_sets, confidence):
    """Three or more groups: each group's share and interval, one omnibus test per theme."""
    from .ppi import homogeneity_test, ppi_homogeneity

    blocks = []
    for theme in themes:
        per_group = [_shares(theme.id, q, g, cells, assigned, audit_sets, confidence) for g in groups]
        rows = []
        for group, (share, k, size) in zip(groups, per_group):
            row = {"question": q, "theme": theme.id, "label": str(theme.label or theme.id), "group": group,
                   "answers": size, "n": k}
            if share is None:
                low, high = _wilson(k, size, confidence)
                row.update(pct=100 * k / size, pct_low=low, pct_high=high)
            else:
                row.update(pct=100 * share.estimate, pct_low=100 * share.low, pct_high=100 * share.high,
                           pct_machine=100 * share.machine, n_audit=share.n)
            rows.append(row)
        if audit_sets is None:
            result = homogeneity_test([k for _, k, _ in per_group], [size for _, _, size in per_group])
        else:
            result = ppi_homogeneity([share for share, _, _ in per_group])
        for row in rows:
            row.update(test=result.method, statistic=result.statistic, df=result.df, p_value=result.p_value)
        blocks.append(rows)
    blocks.sort(key=lambda rows: (-(max(r["pct"] for r in rows) - min(r["pct"] for r in rows)), rows[0]["theme"]))
    return [row for rows in blocks for row in rows]


def _wilson(count: int, total: int, confidence: float) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, total, alpha=1 - confidence, method="wilson")
    return 100 * float(low), 100 * float(high)


def _pair_stats(k_a: int, n_a: int, k_b: int, n_b: int, test: str, confidence: float) -> dict:
    from scipy.stats import chi2_contingency, fisher_exact
    from statsmodels.stats.proportion import confint_proportions_2indep

    table = [[k_a, n_a - k_a], [k_b, n_b - k_b]]
    col_yes, col_no = k_a + k_b, (n_a - k_a) + (n_b - k_b)
    total = n_a + n_b
    expected = [row * col / total for row in (n_a, n_b) for col in (col_yes, col_no)]
    if col_yes == 0 or col_no == 0:
        # No answer (or every answer) has the theme in both groups: no evidence of any difference.
        p_value = 1.0
    elif test == "fisher":
        p_value = float(fisher_exact(table, alternative="two-sided").pvalue)
    else:
        p_value = float(chi2_contingency(table, correction=False).pvalue)
    # Group b first: statsmodels reports count1/nobs1 - count2/nobs2.
    low, high = confint_proportions_2indep(k_b, n_b, k_a, n_a, method="newcomb", compare="diff",
                                           alpha=1 - confidence)
    pct_a, pct_b = 100 * k_a / n_a, 100 * k_b / n_b
    a_low, a_high = _wilson(k_a, n_a, confidence)
    b_low, b_high = _wilson(k_b, n_b, confidence)
    return {"pct_a": pct_a, "pct_b": pct_b, "diff_pp": pct_b - pct_a,
            "ci_low": 100 * float(low), "ci_high": 100 * float(high),
            "p_value": min(1.0, max(0.0, p_value)),
            "pct_a_low": a_low, "pct_a_high": a_high, "pct_b_low": b_low, "pct_b_high": b_high,
            "small": min(expected) < MIN_EXPECTED}


def _adjust(rows: list[dict], correction: str) -> None:
    """Correct a question's p-values over its themes; rows of one theme (groups report) share one test."""
    tests = list(dict.fromkeys(r["theme"] for r in rows))
    first = {r["theme"]: r["p_value"] for r in reversed(rows)}
    pvalues = [first[t] for t in tests]
    if correction == "none":
        adjusted = pvalues
    else:
        from statsmodels.stats.multitest import multipletests

        adjusted = [float(p) for p in multipletests(pvalues, method=correction)[1]]
    by_theme = dict(zip(tests, adjusted))
    for row in rows:
        row["p_adjusted"] = by_theme[row["theme"]]


def _table(rows: list[dict], columns: list[str], split: bool):
    import pandas as pd

    columns = (["question"] if split else []) + columns
    table = pd.DataFrame([{c: r[c] for c in columns} for r in rows], columns=columns)
    for column in table.columns:
        if column in ("n_a", "n_b", "n", "answers", "df", "n_audit_a", "n_audit_b", "n_audit"):
            table[column] = table[column].astype(int)
        elif column not in ("question", "theme", "label", "group", "test"):
            table[column] = table[column].astype(float)
    return table


def _method(kind: str, audited: bool, test: str, correction: str, confidence: float, family: dict, base: str,
            by: str, include_non_answers: bool, flag_source: str) -> dict:
    level = f"{confidence * 100:g}%"
    correction_name, correction_call = CORRECTIONS[correction]
    sizes = ", ".join(f"{k} for '{q}'" if q is not None else str(k) for q, k in family.items())
    if correction == "none":
        adjusting = "p-values are not adjusted for multiple testing"
    else:
        adjusting = (f"p-values are adjusted with the {correction_name} method over the themes reported "
                     f"for each question separately (tests per question: {sizes or 'none'})")
    if flag_source == "none":
        non_answer_text = "Non-answers could not be recognised (no 'text' or 'non_answer' column)."
    else:
        told = "the coded file's non_answer column" if flag_source == "column" else "the Dutch non-answer list"
        non_answer_text = (f"Non-answers (blank, 'n.v.t.', 'weet niet', ...; from {told}) are "
                           + ("kept in the base." if include_non_answers else "left out of the base."))
    base_text = base if include_non_answers else f"{base}, without non-answers"
    method: dict[str, Any] = {"correction": correction, "correction_name": correction_name,
                              "confidence": confidence, "family": "per question: the themes reported for that question",
                              "base": base_text, "groups_by": by, "report": kind,
                              "non_answers": "kept" if include_non_answers else "left out",
                              "non_answers_from": flag_source}
    if audited:
        method.update(estimator=ESTIMATOR[0], estimator_name=ESTIMATOR[1],
                      share_interval=PPI_INTERVAL[0], share_interval_name=PPI_INTERVAL[1],
                      machine_columns="pct_*_machine, diff_pp_machine and n_a/n_b (n) are the machine codes "
                                      "alone, without the audit",
                      rare_themes="the variance of the audit's correction is floored at that of z^2/2 "
                                  "disagreements (Agresti-Coull pseudo-count), so an audit without any "
                                  "disagreement on a rare theme does not give a zero-width interval")
        estimator_text = (f"Shares are audit-corrected: {ESTIMATOR[1]}. The audit must be a simple random sample "
                          "of each group. ")
    else:
        method.update(share_interval=SHARE_INTERVAL[0], share_interval_name=SHARE_INTERVAL[1])
        estimator_text = ""
    if kind == "pairwise" and audited:
        method.update(test=PPI_TEST[0], test_name=PPI_TEST[1], interval=PPI_INTERVAL[0],
                      interval_name=PPI_INTERVAL[1])
        software = f"{PPI_INTERVAL[2]}; {correction_call}"
        stats_text = (f"The difference b - a is in percentage points with its {level} {PPI_INTERVAL[1]}; each "
                      f"theme is tested with a {PPI_TEST[1]}")
    elif kind == "pairwise":
        test_name, test_call = TESTS[test]
        method.update(test=test, test_name=test_name, interval=INTERVAL[0], interval_name=INTERVAL[1])
        software = f"{test_call}; {INTERVAL[2]}; {SHARE_INTERVAL[2]}; {correction_call}"
        stats_text = (f"The difference b - a is in percentage points with its {level} {INTERVAL[1]} (Newcombe "
                      f"1998, no continuity correction), each share with its {level} {SHARE_INTERVAL[1]}. Each "
                      f"theme is tested with {test_name}")
    elif audited:
        method.update(test=GROUPS_PPI_TEST[0], test_name=GROUPS_PPI_TEST[1])
        software = f"{PPI_INTERVAL[2]}; {correction_call}"
        stats_text = (f"Each group's share has its {level} {PPI_INTERVAL[1]}; per theme one {GROUPS_PPI_TEST[1]} "
                      "across all groups")
    else:
        method.update(test=GROUPS_TEST[0], test_name=GROUPS_TEST[1])
        software = f"{GROUPS_TEST[2]}; {SHARE_INTERVAL[2]}; {correction_call}"
        stats_text = (f"Each group's share has its {level} {SHARE_INTERVAL[1]}; per theme one "
                      f"{GROUPS_TEST[1]} across all groups (the row's `test` says which)")
    method["software"] = software
    method["text"] = (f"{estimator_text}Shares are of {base_text}. {non_answer_text} {stats_text}; "
                      f"{adjusting}.")
    return method


# Serialisations -------------------------------------------------------------------------------


def to_csv(result: ShiftResult) -> str:
    """The contract's csv at full precision: one row per theme (and question), formula-safe."""
    import io

    table = result.table.copy()
    for column in ("question", "theme", "label", "group"):
        if column in table.columns:
            table[column] = table[column].map(defuse_formula)
    buffer = io.StringIO()
    # repr precision: a float read back from the csv is the float computed.
    table.to_csv(buffer, index=False, lineterminator="\n", float_format=None)
    return buffer.getvalue()


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    return value


def to_json(result: ShiftResult) -> str:
    """Rows plus everything needed to read them: groups, method (test, interval, correction), n, warnings."""
    if result.kind == "pairwise":
        groups: Any = {"a": result.groups[0], "b": result.groups[1]}
    else:
        groups = list(result.groups)
    sizes = []
    for q, per_group in result.n.items():
        for g, k in per_group.items():
            entry = {"question": q, "group": g, "answers": k,
                     "non_answers": result.non_answers.get(q, {}).get(g, 0)}
            if result.audited and q in result.n_audit:
                entry["audited"] = result.n_audit[q][g]
            sizes.append(entry)
    payload = {
        "by": result.by,
        "report": result.kind,
        "groups": groups,
        "question": result.question,
        "questions": result.questions,
        "audited": result.audited,
        "method": result.method,
        "provenance": result.provenance,
        "n": sizes,
        "rows": [{k: _plain(v) for k, v in row.items()} for row in result.table.to_dict("records")],
        "warnings": result.warnings,
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _md_cell(value) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _fmt(column: str, value) -> str:
    if column in ("p_value", "p_adjusted"):
        return f"{value:.4g}"
    if column == "statistic":
        return f"{value:.2f}"
    if column.startswith(("diff_", "ci_")):
        return f"{value:+.1f}"
    if column.startswith("pct"):
        return f"{value:.1f}"
    return _md_cell(value)


def non_answer_line(result: ShiftResult, question) -> str | None:
    """One sentence on the non-answers of a question's groups, or None when there were none."""
    counts = result.non_answers.get(question, {})
    if not any(counts.values()):
        return None
    listed = ", ".join(f"{k} in {g}" for g, k in counts.items())
    if result.include_non_answers:
        return f"Non-answers (kept in the base): {listed}."
    return f"Non-answers left out of the base: {listed} (--include-non-answers keeps them)."


def corrected_line(result: ShiftResult) -> str | None:
    """Which numbers an audit corrected, in one line; None without an audit."""
    if not result.audited:
        return None
    if result.kind == "pairwise":
        return ("Audit-corrected (prediction-powered inference): % a, % b, b - a, its interval and p. "
                "Machine-only shares: pct_*_machine in csv/json.")
    return "Audit-corrected (prediction-powered inference): shares, intervals and p. Machine-only: pct_machine."


def to_markdown(result: ShiftResult) -> str:
    """A report section per question: sizes, the report's columns, then method and warnings."""
    columns = result.columns
    if result.kind == "pairwise":
        a, b = result.groups
        lines = [f"# Theme shift by {_md_cell(result.by)}: {_md_cell(a)} (a) → {_md_cell(b)} (b)", ""]
    else:
        lines = [f"# Theme shares by {_md_cell(result.by)}: {', '.join(_md_cell(g) for g in result.groups)}", ""]
    corrected = corrected_line(result)
    if corrected:
        lines += [corrected, ""]
    for q, rows in result.sections():
        sizes = ", ".join(f"{_md_cell(g)}: n = {result.n[q][g]}" for g in result.groups)
        lines += [f"## Question `{q}` ({sizes})" if q is not None else f"## All answers ({sizes})", ""]
        note = non_answer_line(result, q)
        if note:
            lines += [note, ""]
        lines.append("| " + " | ".join(columns) + " |")
        lines.append("|" + "|".join("---" if c in ("theme", "label", "group", "test") else "---:"
                                    for c in columns) + "|")
        for row in rows.to_dict("records"):
            lines.append("| " + " | ".join(_fmt(c, row[c]) for c in columns) + " |")
        lines.append("")
    lines += ["## Method", "", result.method["text"], ""]
    if result.warnings:
        lines += ["## Warnings", ""] + [f"- {_md_cell(w)}" for w in result.warnings] + [""]
    return "\n".join(lines)
