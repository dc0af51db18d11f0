"""Theme shift between two groups of answers: shares per theme, their difference, an interval and a test.

Per question and theme the answers of group a and group b form a 2x2 table (theme
yes/no by group). The base of a share is every answer of that group to that
question, including answers that got no theme (an empty answer is an answer).
The difference is b - a in percentage points with Newcombe's hybrid score
interval (Newcombe 1998, method 10, no continuity correction); each theme is
tested with Fisher's exact test or Pearson's chi-square test, and the p-values of
one question's themes are corrected together (Holm, Benjamini-Hochberg or none).
Statistics come from scipy and statsmodels; nothing here prints.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputFileError, UsageError
from ..io.coded import cell_text as _cell, split_themes as _split
from ..io.writing import defuse_formula

# The contract's `shift --format csv` columns, in order; `question` leads them when rows span questions.
COLUMNS = ["theme", "label", "n_a", "pct_a", "n_b", "pct_b", "diff_pp", "ci_low", "ci_high",
           "p_value", "p_adjusted"]

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

# Rules of thumb from Cochran (1954): expected counts below 5 make chi-square p-values unreliable,
# and below about 30 answers a group's shares move by several points with each answer.
MIN_EXPECTED = 5
MIN_GROUP = 30


@dataclass(frozen=True)
class ThemeRef:
    """A theme as the shift report needs it (a codebook Theme has the same three fields)."""

    id: str
    label: str
    questions: frozenset[str] | None = None


@dataclass
class ShiftResult:
    """The shift report: `table` holds the contract columns; the rest says how it was made."""

    table: Any  # pandas DataFrame
    method: dict[str, Any]
    groups: tuple[str, str]
    by: str
    n: dict[str | None, dict[str, int]]  # answers per question (None: data without questions) and group
    warnings: list[str] = field(default_factory=list)
    questions: list[str | None] = field(default_factory=list)  # the questions compared, in data order
    question: str | None = None  # the question asked for, if any
    # What produced the codes: codebook, Dutch pipeline and model, read from a coded file.
    provenance: dict[str, list[str]] = field(default_factory=dict)

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
                correction: str = "holm", confidence: float = 0.95) -> ShiftResult:
    """Compare theme shares between two groups of coded answers, per question.

    `frame` has one row per answer with a `themes` column (ids joined by `;`), the `by`
    column and optionally `question`. `themes` are objects with `.id`, `.label` and
    `.questions` (None: all questions); None takes the ids found in the data per question.
    Groups default to the first and last value of `by` in data order.
    """
    check_options(test, correction, confidence)
    if "themes" not in frame.columns:
        raise UsageError("no 'themes' column: expected coded answers (the output of kcc-text code)")
    assigned = [split_themes(value) for value in frame["themes"]]
    result = _shift(frame, assigned, themes, by=by, group_a=group_a, group_b=group_b, question=question,
                    test=test, correction=correction, confidence=confidence,
                    base="all answers of the group to the question, including answers without a theme",
                    notes=[])
    result.provenance = {column: sorted({_cell(v) for v in frame[column]} - {""})
                         for column in ("codebook", "pipeline", "model") if column in frame.columns}
    return result


def shift_from_labels(frame, label_sets: Mapping[str, Iterable[str]], themes: Sequence | None = None, *,
                      by: str = "wave", group_a: str | None = None, group_b: str | None = None,
                      question: str | None = None, test: str = "fisher", correction: str = "holm",
                      confidence: float = 0.95) -> ShiftResult:
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
    return _shift(subset, assigned, themes, base="answers of the group to the question that a person "
                  "coded (in the labels), including those coded as having no theme", notes=notes, by=by,
                  group_a=group_a, group_b=group_b, question=question, test=test, correction=correction,
                  confidence=confidence)


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


def _shift(frame, assigned: list[frozenset[str]], themes: Sequence | None, *, by: str, group_a, group_b,
           question, test: str, correction: str, confidence: float, base: str, notes: list[str]):
    if by not in frame.columns:
        raise UsageError(f"no column '{by}' to compare groups by (columns: {_listing(frame.columns)})")
    group_of = [_cell(value) for value in frame[by]]
    order = list(dict.fromkeys(g for g in group_of if g))
    a, b = _pick_groups(order, by, group_a, group_b)

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

    if themes is None:
        keep = [g in (a, b) for g in group_of]
        themes = themes_in_data([s for s, k in zip(assigned, keep) if k],
                                [q for q, k in zip(question_of, keep) if k])
    known = {t.id for t in themes}

    warnings = list(notes)
    unknown = set()
    counts: dict[tuple, Counter] = {}
    totals: Counter = Counter()
    for ids, group, q in zip(assigned, group_of, question_of):
        if group in (a, b) and q in questions:
            totals[(q, group)] += 1
            counts.setdefault((q, group), Counter()).update(ids)
            unknown |= ids - known
    if unknown:
        warnings.append(f"themes in the data that the codebook does not list were left out: "
                        f"{', '.join(sorted(unknown))}")

    split = question is None and len(questions) > 1
    rows, n, compared, family = [], {}, [], {}
    for q in questions:
        where = f"question '{q}': " if q is not None else ""
        n_a, n_b = totals[(q, a)], totals[(q, b)]
        n[q] = {a: n_a, b: n_b}
        if n_a == 0 or n_b == 0:
            empty = a if n_a == 0 else b
            warnings.append(f"{where}group '{empty}' has no answers; question left out")
            continue
        compared.append(q)
        for group, size in ((a, n_a), (b, n_b)):
            if size < MIN_GROUP:
                warnings.append(f"{where}group '{group}' has only {size} answers (fewer than {MIN_GROUP}): "
                                "its shares are rough")
        applicable = [t for t in themes if t.questions is None or q is None or q in t.questions]
        if not applicable:
            warnings.append(f"{where}no themes to compare")
            continue
        q_rows, small = [], []
        for theme in applicable:
            k_a, k_b = counts.get((q, a), Counter())[theme.id], counts.get((q, b), Counter())[theme.id]
            stats = _theme_stats(k_a, n_a, k_b, n_b, test, confidence)
            if stats.pop("small"):
                small.append(theme.id)
            q_rows.append({"question": q, "theme": theme.id, "label": str(theme.label or theme.id),
                           "n_a": k_a, "n_b": k_b, **stats})
        _adjust(q_rows, correction)
        family[q] = len(q_rows)
        if small:
            consequence = ("Fisher's test stays exact, but these shares rest on few answers" if test == "fisher"
                           else "the chi-square p-value is unreliable there; Fisher's exact test is safer")
            warnings.append(f"{where}expected count below {MIN_EXPECTED} in the 2x2 table of "
                            f"{', '.join(small)}: {consequence}")
        q_rows.sort(key=lambda r: (-abs(r["diff_pp"]), -abs(r["_diff"]), r["theme"]))
        rows.extend(q_rows)
    if not compared:
        if len(questions) == 1:
            empty = a if totals[(questions[0], a)] == 0 else b
            where = f"question '{questions[0]}' has" if questions[0] is not None else "there are"
            raise UsageError(f"{where} no answers from group '{empty}' in column '{by}'")
        raise UsageError(f"no question has answers from both '{a}' and '{b}' in column '{by}'")

    return ShiftResult(table=_table(rows, split), groups=(a, b), by=by, n=n, warnings=warnings,
                       questions=compared, question=question,
                       method=_method(test, correction, confidence, family, base, by))


def _theme_stats(k_a: int, n_a: int, k_b: int, n_b: int, test: str, confidence: float) -> dict:
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
    pct_a, pct_b = round(100 * k_a / n_a, 1), round(100 * k_b / n_b, 1)
    return {"pct_a": pct_a, "pct_b": pct_b,
            # From the rounded shares, so that diff_pp = pct_b - pct_a holds exactly in every row.
            "diff_pp": round(pct_b - pct_a, 1), "_diff": 100 * (k_b / n_b - k_a / n_a),
            "ci_low": round(100 * float(low), 1), "ci_high": round(100 * float(high), 1),
            "p_value": min(1.0, max(0.0, p_value)), "small": min(expected) < MIN_EXPECTED}


def _adjust(rows: list[dict], correction: str) -> None:
    pvalues = [r["p_value"] for r in rows]
    if correction == "none":
        adjusted = pvalues
    else:
        from statsmodels.stats.multitest import multipletests

        adjusted = [float(p) for p in multipletests(pvalues, method=correction)[1]]
    for row, p_adj in zip(rows, adjusted):
        row["p_adjusted"] = _sig4(p_adj)
        row["p_value"] = _sig4(row["p_value"])


def _sig4(p: float) -> float:
    return float(f"{p:.4g}")


def _table(rows: list[dict], split: bool):
    import pandas as pd

    columns = (["question"] if split else []) + COLUMNS
    table = pd.DataFrame([{c: r[c] for c in columns} for r in rows], columns=columns)
    for column in ("n_a", "n_b"):
        table[column] = table[column].astype(int)
    for column in ("pct_a", "pct_b", "diff_pp", "ci_low", "ci_high", "p_value", "p_adjusted"):
        table[column] = table[column].astype(float)
    return table


def _method(test: str, correction: str, confidence: float, family: dict, base: str, by: str) -> dict:
    level = f"{confidence * 100:g}%"
    test_name, test_call = TESTS[test]
    correction_name, correction_call = CORRECTIONS[correction]
    sizes = ", ".join(f"{k} for '{q}'" if q is not None else str(k) for q, k in family.items())
    if correction == "none":
        adjusting = "p-values are not adjusted for multiple testing"
    else:
        adjusting = (f"p-values are adjusted with the {correction_name} method over the themes reported "
                     f"for each question separately (tests per question: {sizes or 'none'})")
    text = (f"Shares are of {base}. The difference b - a is in percentage points with its {level} "
            f"{INTERVAL[1]} (Newcombe 1998, no continuity correction). Each theme is tested with "
            f"{test_name}; {adjusting}.")
    return {
        "test": test, "test_name": test_name,
        "interval": INTERVAL[0], "interval_name": INTERVAL[1],
        "correction": correction, "correction_name": correction_name,
        "confidence": confidence,
        "family": "per question: the themes reported for that question",
        "base": base, "groups_by": by,
        "software": f"{test_call}; {INTERVAL[2]}; {correction_call}",
        "text": text,
    }


# Serialisations -------------------------------------------------------------------------------


def to_csv(result: ShiftResult) -> str:
    """The contract's csv: one row per theme (and question), formula-safe."""
    import io

    table = result.table.copy()
    for column in ("question", "theme", "label"):
        if column in table.columns:
            table[column] = table[column].map(defuse_formula)
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _plain(value.item())
    return value


def to_json(result: ShiftResult) -> str:
    """Rows plus everything needed to read them: groups, method (test, interval, correction), n, warnings."""
    a, b = result.groups
    payload = {
        "by": result.by,
        "groups": {"a": a, "b": b},
        "question": result.question,
        "questions": result.questions,
        "method": result.method,
        "provenance": result.provenance,
        "n": [{"question": q, "group": g, "answers": k} for q, per_group in result.n.items()
              for g, k in per_group.items()],
        "rows": [{k: _plain(v) for k, v in row.items()} for row in result.table.to_dict("records")],
        "warnings": result.warnings,
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def _md_cell(value) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _fmt(column: str, value) -> str:
    if column in ("p_value", "p_adjusted"):
        return f"{value:.4g}"
    if column.startswith(("pct_", "diff_", "ci_")):
        return f"{value:+.1f}" if column.startswith(("diff_", "ci_")) else f"{value:.1f}"
    return _md_cell(value)


def to_markdown(result: ShiftResult) -> str:
    """A report section per question: sizes, the contract columns, then method and warnings."""
    a, b = result.groups
    lines = [f"# Theme shift by {_md_cell(result.by)}: {_md_cell(a)} (a) → {_md_cell(b)} (b)", ""]
    for q, rows in result.sections():
        sizes = f"{_md_cell(a)}: n = {result.n[q][a]}, {_md_cell(b)}: n = {result.n[q][b]}"
        lines += [f"## Question `{q}` ({sizes})" if q is not None else f"## All answers ({sizes})", ""]
        lines.append("| " + " | ".join(COLUMNS) + " |")
        lines.append("|" + "|".join(["---", "---"] + ["---:"] * (len(COLUMNS) - 2)) + "|")
        for row in rows.to_dict("records"):
            lines.append("| " + " | ".join(_fmt(c, row[c]) for c in COLUMNS) + " |")
        lines.append("")
    lines += ["## Method", "", result.method["text"], ""]
    if result.warnings:
        lines += ["## Warnings", ""] + [f"- {_md_cell(w)}" for w in result.warnings] + [""]
    return "\n".join(lines)
