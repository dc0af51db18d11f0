"""Inter-rater reliability between two codings: percent agreement, Cohen's kappa, Krippendorff's alpha.

Per theme, every answer coded by both sources is one binary decision per source
(theme given or not). The row `ALL` pools the (answer, theme) decisions of all
themes into one binary series. A coded output (`kcc-text code`) can stand in for a
coder, so the same report measures a second coder and the machine against gold.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputFileError, UsageError

ALL = "ALL"
RELIABLE = 0.800
TENTATIVE = 0.667
CSV_COLUMNS = ["theme", "n", "agreement", "cohen_kappa", "krippendorff_alpha"]
EXTRA_COLUMNS = ["verdict", "n_a", "n_b"]

METHOD = (
    "Per theme, each answer coded by both sources is one binary decision per source (theme given or "
    "not){scope}. agreement = share of equal decisions; cohen_kappa = Cohen's kappa "
    "(scikit-learn cohen_kappa_score); krippendorff_alpha = Krippendorff's alpha, nominal level "
    "(krippendorff package). Row ALL pools every (answer, theme) decision of all themes into one "
    "binary series (n = answers coded by both); exact_set_agreement is the share of answers whose whole "
    "theme sets are equal; mean_* are unweighted means over the themes where the value is defined. "
    "Verdict by Krippendorff (2004): alpha >= .800 reliable, >= .667 tentative, below that unreliable; "
    "kappa and alpha are undefined when both sources use one value only (e.g. nobody gave the theme)."
)


@dataclass(frozen=True)
class Codes:
    """One source's codes: answer id -> theme set, the question of each answer, and what it is."""

    sets: dict[str, frozenset[str]]
    questions: dict[str, str] = field(default_factory=dict)
    kind: str = "labels"  # "labels" (human codes) or "coded" (a `kcc-text code` output)
    name: str = ""
    coders: tuple[str, ...] = ()  # the coders whose decisions were merged (latest per answer)


@dataclass(frozen=True)
class AgreementRow:
    theme: str
    n: int
    agreement: float
    cohen_kappa: float
    krippendorff_alpha: float
    n_a: int  # answers source a gave this theme
    n_b: int
    verdict: str
    note: str = ""


@dataclass(frozen=True)
class AgreementResult:
    rows: list[AgreementRow]  # one per theme, then ALL
    n_answers: int  # coded by both
    only_a: int  # coded by a only
    only_b: int
    exact_set_agreement: float
    mean_cohen_kappa: float
    mean_krippendorff_alpha: float
    n_decisions: int  # (answer, theme) decisions pooled in ALL
    names: tuple[str, str]
    method: str
    notes: tuple[str, ...] = ()

    @property
    def overall(self) -> AgreementRow:
        return self.rows[-1]

    @property
    def themes(self) -> list[AgreementRow]:
        return self.rows[:-1]

    def to_frame(self):
        """The contract's CSV table: one row per theme, then ALL; extra columns after the contract's."""
        import pandas as pd

        records = []
        for row in self.rows:
            records.append({
                "theme": row.theme, "n": row.n, "agreement": _rounded(row.agreement),
                "cohen_kappa": _rounded(row.cohen_kappa), "krippendorff_alpha": _rounded(row.krippendorff_alpha),
                "verdict": row.verdict, "n_a": row.n_a, "n_b": row.n_b,
            })
        return pd.DataFrame(records, columns=CSV_COLUMNS + EXTRA_COLUMNS)

    def to_dict(self) -> dict:
        """JSON-ready: undefined values become null."""
        def row_dict(row: AgreementRow) -> dict:
            return {"theme": row.theme, "n": row.n, "agreement": _json_number(row.agreement),
                    "cohen_kappa": _json_number(row.cohen_kappa),
                    "krippendorff_alpha": _json_number(row.krippendorff_alpha), "verdict": row.verdict,
                    "n_a": row.n_a, "n_b": row.n_b, "note": row.note}

        return {
            "a": self.names[0], "b": self.names[1],
            "n_answers": self.n_answers, "only_a": self.only_a, "only_b": self.only_b,
            "rows": [row_dict(r) for r in self.rows],
            "overall": {
                **row_dict(self.overall),
                "n_decisions": self.n_decisions,
                "exact_set_agreement": _json_number(self.exact_set_agreement),
                "mean_cohen_kappa": _json_number(self.mean_cohen_kappa),
                "mean_krippendorff_alpha": _json_number(self.mean_krippendorff_alpha),
            },
            "thresholds": {"reliable": RELIABLE, "tentative": TENTATIVE},
            "method": self.method,
            "notes": list(self.notes),
        }


def verdict(alpha: float) -> str:
    if math.isnan(alpha):
        return "undefined"
    if alpha >= RELIABLE:
        return "reliable"
    if alpha >= TENTATIVE:
        return "tentative"
    return "unreliable"


def binary_agreement(a: list[int], b: list[int]) -> tuple[float, float, float, str]:
    """Percent agreement, Cohen's kappa and nominal Krippendorff's alpha of two 0/1 series."""
    if not a:
        return math.nan, math.nan, math.nan, "no answers to compare"
    agreement = sum(x == y for x, y in zip(a, b)) / len(a)
    if len(set(a) | set(b)) < 2:
        # One value throughout: chance agreement is 1, so both coefficients are 0/0.
        given = "every" if a[0] else "no"
        return agreement, math.nan, math.nan, f"both gave the theme to {given} answer; kappa and alpha undefined"
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kappa = float(cohen_kappa_score(a, b, labels=[0, 1]))
    alpha = float(krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal"))
    return agreement, kappa, alpha, ""


def codes_from_frame(frame, name: str = "", path: str | Path | None = None, coder: str | None = None) -> Codes:
    """Codes from a labels frame (`read_labels`) or a coded frame (has a `themes` column)."""
    from ..io.labels import label_sets

    questions = {}
    if "question" in frame.columns:
        for answer_id, question in zip(frame["id"].astype(str), frame["question"].astype(str)):
            if question and answer_id not in questions:
                questions[answer_id] = question
    if "theme" not in frame.columns and "themes" in frame.columns:
        if coder is not None:
            raise UsageError("applies to labels files only (a coded output has no coders)", path, setting="coder")
        from ..io.coded import theme_sets

        sets = theme_sets(frame)
        return Codes(sets, questions, "coded", name)
    if "coded_at" not in frame.columns or "coder" not in frame.columns:
        frame = frame.assign(**{c: "" for c in ("coder", "coded_at") if c not in frame.columns})
    frame = frame.assign(id=frame["id"].astype(str).str.strip(), theme=frame["theme"].astype(str).str.strip())
    coders = sorted(set(frame["coder"]) - {""})
    if coder is not None:
        if coder not in coders:
            raise UsageError(f"no codes by coder '{coder}' (coders: {', '.join(coders) or 'none named'})", path)
        coders = [coder]
    return Codes(label_sets(frame, coder=coder), questions, "labels", name, tuple(coders))


def load_codes(path: str | Path, coder: str | None = None, known_themes: Iterable[str] | None = None,
               by_question: bool | None = None, *, ignore_unknown_themes: bool = False) -> Codes:
    """Read a labels file or a coded output, whichever `path` is.

    `by_question`: name answers by (id, question) (see `io.keys`); None: when this file repeats ids.
    """
    frame = codes_frame(path, known_themes, ignore_unknown_themes=ignore_unknown_themes)
    return _codes_of(Path(path), frame, coder, by_question)


def _codes_of(path: Path, frame, coder: str | None, by_question: bool | None) -> Codes:
    from ..io.keys import keyed_by_question, with_keys

    if by_question is None:
        by_question = keyed_by_question(frame)
    name = path.name + (f" ({coder})" if coder else "")
    return codes_from_frame(with_keys(frame, by_question, path), name, path, coder)


def codes_frame(path: str | Path, known_themes: Iterable[str] | None = None, *, ignore_unknown_themes: bool = False):
    """A labels file or a coded output as a frame, its theme ids checked."""
    from ..io.coded import read_coded, split_themes
    from ..io.labels import read_labels

    path = Path(path)
    frame = read_coded(path, require=())
    if "id" not in frame.columns or ("theme" not in frame.columns and "themes" not in frame.columns):
        raise InputFileError("missing columns: a labels file has id and theme, a coded output id and themes",
                             path)
    if "theme" in frame.columns:
        frame = read_labels(path, known_themes, ignore_unknown_themes=ignore_unknown_themes)
    else:
        frame["id"] = frame["id"].astype(str).str.strip()
        if known_themes is not None:
            known = set(known_themes)
            for line, themes in enumerate(frame["themes"], start=2):
                unknown = [t for t in split_themes(themes) if t not in known]
                if unknown:
                    raise InputFileError(f"theme '{unknown[0]}' is not in the codebook", path, line)
    return frame


def _as_codes(value, name: str) -> Codes:
    if isinstance(value, Codes):
        return value
    if isinstance(value, Mapping):
        return Codes({str(k): frozenset(v) for k, v in value.items()}, {}, "labels", name)
    return codes_from_frame(value, name)


def agreement_report(labels_a, labels_b, themes: Iterable[str] | None = None, *, codebook=None,
                     names: tuple[str, str] | None = None) -> AgreementResult:
    """Agreement of two codings per theme and overall.

    `labels_a`/`labels_b`: `Codes`, a labels frame, a coded frame, or a mapping id -> themes.
    `themes`: the themes to report (default: the codebook's, else every theme either source used).
    With a `codebook`, a theme limited to some questions is judged only on answers to those
    questions: counting answers it cannot apply to as agreement would flatter the coders.
    """
    a = _as_codes(labels_a, names[0] if names else "a")
    b = _as_codes(labels_b, names[1] if names else "b")
    shared = [i for i in a.sets if i in b.sets]
    if not shared:
        raise UsageError(f"no answer is coded in both {a.name or 'a'} and {b.name or 'b'}: "
                         "compare codings of the same answers")
    if themes is not None:
        theme_ids = list(dict.fromkeys(themes))
    elif codebook is not None:
        theme_ids = codebook.theme_ids
    else:
        used = set().union(*(a.sets[i] for i in shared), *(b.sets[i] for i in shared))
        theme_ids = sorted(used)
    if not theme_ids:
        raise UsageError(f"neither {a.name or 'a'} nor {b.name or 'b'} gives any theme to the answers both coded")

    rows: list[AgreementRow] = []
    pooled_a: list[int] = []
    pooled_b: list[int] = []
    for theme_id in theme_ids:
        ids = shared
        if codebook is not None and theme_id in codebook.theme_ids:
            theme = codebook.theme(theme_id)
            ids = [i for i in shared if theme.applies_to(a.questions.get(i) or b.questions.get(i))]
        xs = [int(theme_id in a.sets[i]) for i in ids]
        ys = [int(theme_id in b.sets[i]) for i in ids]
        pooled_a.extend(xs)
        pooled_b.extend(ys)
        agreement, kappa, alpha, note = binary_agreement(xs, ys)
        rows.append(AgreementRow(theme_id, len(ids), agreement, kappa, alpha, sum(xs), sum(ys),
                                 verdict(alpha), note))
    agreement, kappa, alpha, note = binary_agreement(pooled_a, pooled_b)
    rows.append(AgreementRow(ALL, len(shared), agreement, kappa, alpha,
                             sum(1 for i in shared if a.sets[i]), sum(1 for i in shared if b.sets[i]),
                             verdict(alpha), note))
    exact = sum(a.sets[i] == b.sets[i] for i in shared) / len(shared)
    notes = tuple(
        f"{codes.name or side} holds codes by {len(codes.coders)} coders ({', '.join(codes.coders)}); the latest "
        f"decision per answer is used, so this is not one coder's work: choose one with --coder-{side}"
        for side, codes in (("a", a), ("b", b)) if len(codes.coders) > 1
    )
    scope = (", counting for a theme limited to some questions only the answers to those questions"
             if codebook is not None else "")
    return AgreementResult(
        rows=rows, n_answers=len(shared), only_a=len(a.sets) - len(shared), only_b=len(b.sets) - len(shared),
        exact_set_agreement=exact,
        mean_cohen_kappa=_mean(r.cohen_kappa for r in rows[:-1]),
        mean_krippendorff_alpha=_mean(r.krippendorff_alpha for r in rows[:-1]),
        n_decisions=len(pooled_a), names=(a.name or "a", b.name or "b"), method=METHOD.format(scope=scope),
        notes=notes,
    )


def _mean(values: Iterable[float]) -> float:
    defined = [v for v in values if not math.isnan(v)]
    return sum(defined) / len(defined) if defined else math.nan


def _rounded(value: float):
    return "" if math.isnan(value) else round(value, 4)


def _json_number(value: float):
    return None if math.isnan(value) else round(value, 4)
