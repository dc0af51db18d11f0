"""Where the machine disagrees with people: false positives and false negatives per theme.

Only answers present in both the coded output and the labels count. A false positive
is a theme the machine gave and the person did not; a false negative the reverse.
The most confidently wrong come first: with model scores, false positives by
descending score and false negatives by ascending score; without scores (rules only),
false positives with the most matched words first and false negatives the machine
did not send to review first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError, UsageError

NO_THEME = "(no theme)"
DEFAULT_LIMIT = 10


@dataclass(frozen=True)
class ReviewItem:
    """One wrong decision: an answer and what the machine and the person said about one theme."""

    id: str
    text: str
    kind: str  # "FP" (machine yes, person no) or "FN" (person yes, machine no)
    theme: str
    score: float | None  # the model's probability for the theme, None without a model
    source: str  # rules, model, both, or "" for a false negative
    highlight: tuple[str, ...]  # matched words to show in the text
    machine: tuple[str, ...]
    human: tuple[str, ...]
    needs_review: bool
    wave: str = ""
    question: str = ""


@dataclass(frozen=True)
class ThemeReview:
    theme: str
    n: int
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    confusions: tuple[tuple[str, int], ...]  # other theme (or NO_THEME) -> how often, most frequent first
    false_positives: tuple[ReviewItem, ...]  # sorted, at most `limit`
    false_negatives: tuple[ReviewItem, ...]


@dataclass(frozen=True)
class ReviewResult:
    themes: tuple[ThemeReview, ...]
    n_answers: int  # answers in both files after the filters
    n_labels_not_coded: int  # labelled answers absent from the coded output
    has_scores: bool
    limit: int
    filters: dict[str, tuple[str, ...]]
    n_in_training: int | None = None  # reviewed answers the model was trained on (None: model unknown)


def coded_themes(coded, codebook=None) -> list[str]:
    """The theme ids of a coded frame, in codebook order."""
    from ..io.coded import coded_theme_ids

    return coded_theme_ids(coded, codebook)


def _check_filter(coded, column: str, wanted: Iterable[str] | None, what: str, path) -> tuple[str, ...]:
    wanted = tuple(wanted or ())
    if not wanted:
        return ()
    if column not in coded.columns:
        raise UsageError(f"given, but the coded output has no '{column}' column", path, setting=what)
    present = list(dict.fromkeys(v for v in coded[column] if v))
    unknown = [w for w in wanted if w not in present]
    if unknown:
        raise UsageError(f"{what} '{unknown[0]}' does not occur (the {what}s are: {', '.join(present)})", path)
    return wanted


def review(coded, labels, *, themes: Iterable[str] | None = None, waves: Iterable[str] | None = None,
           questions: Iterable[str] | None = None, limit: int = DEFAULT_LIMIT, coder: str | None = None,
           coded_path: str | Path | None = None, labels_path: str | Path | None = None,
           training_ids: Iterable[str] | None = None) -> ReviewResult:
    """Compare a coded frame with a labels frame; return per-theme counts and the wrong decisions.

    `training_ids`: the answers the model was trained on (from its card), so the result can say
    how many reviewed answers the model had already seen: on those its recall looks too good.
    """
    from ..io.coded import parse_evidence, split_themes
    from ..io.labels import label_sets

    if limit < 0:
        raise UsageError(f"must be 0 or more (got {limit})", setting="limit")
    for column in ("id", "themes"):
        if column not in coded.columns:
            raise InputFileError(f"missing column '{column}' (is this a coded output of `kcc-text code`?)",
                                 coded_path)
    all_themes = coded_themes(coded)
    wanted_themes = tuple(themes or ())
    unknown = [t for t in wanted_themes if t not in all_themes]
    if unknown:
        raise UsageError(f"theme '{unknown[0]}' is not in the coded output (themes: {', '.join(all_themes)})",
                         coded_path)
    filters = {"theme": wanted_themes,
               "wave": _check_filter(coded, "wave", waves, "wave", coded_path),
               "question": _check_filter(coded, "question", questions, "question", coded_path)}
    if coder is not None:
        coders = sorted(set(labels["coder"]) - {""})
        if coder not in coders:
            raise UsageError(f"no codes by coder '{coder}' (coders: {', '.join(coders) or 'none named'})",
                             labels_path)
    human = label_sets(labels, coder=coder)
    coded = coded.assign(id=coded["id"].astype(str).str.strip())
    in_both = coded[coded["id"].isin(human.keys())]
    if in_both.empty:
        raise UsageError(f"no answer of {Path(coded_path).name if coded_path else 'the coded output'} is "
                         "in the labels file: compare codings of the same answers", labels_path)
    n_not_coded = len(set(human) - set(coded["id"]))
    for column, values in (("wave", filters["wave"]), ("question", filters["question"])):
        if values:
            in_both = in_both[in_both[column].isin(values)]
    if in_both.empty:
        raise UsageError("no labelled answer matches the wave/question filters", coded_path)

    has_scores = any(c.startswith("p_") for c in coded.columns)
    records = in_both.to_dict("records")
    machine_sets = [split_themes(r["themes"]) for r in records]
    human_sets = [tuple(sorted(human[r["id"]])) for r in records]
    evidence = [parse_evidence(str(r.get("evidence", ""))) for r in records]

    reviews = []
    for theme in wanted_themes or all_themes:
        tp = fp = fn = 0
        fps: list[tuple[tuple, ReviewItem]] = []
        fns: list[tuple[tuple, ReviewItem]] = []
        confusions: Counter[str] = Counter()
        for order, (record, machine, people, found) in enumerate(zip(records, machine_sets, human_sets, evidence)):
            said, truth = theme in machine, theme in people
            if said and truth:
                tp += 1
                continue
            if said == truth:
                continue
            score = _score(record.get(f"p_{theme}", ""))
            review_flag = str(record.get("needs_review", "0")).strip() == "1"
            if said:
                fp += 1
                others = [t for t in people if t not in machine] or ([NO_THEME] if not people else [])
                words = tuple(found.get(theme, []))
                item = _item(record, "FP", theme, score, str(record.get(f"src_{theme}", "")), words,
                             machine, people, review_flag)
                key = (-score if score is not None else -len(words), review_flag, order)
                fps.append((key, item))
            else:
                fn += 1
                others = [t for t in machine if t not in people] or ([NO_THEME] if not machine else [])
                words = tuple(w for t in machine for w in found.get(t, []))
                item = _item(record, "FN", theme, score, "", words, machine, people, review_flag)
                key = (score if score is not None else 0.0, review_flag, order)
                fns.append((key, item))
            confusions.update(others)
        reviews.append(ThemeReview(
            theme=theme, n=len(records), tp=tp, fp=fp, fn=fn,
            precision=tp / (tp + fp) if tp + fp else math.nan, recall=tp / (tp + fn) if tp + fn else math.nan,
            confusions=tuple(confusions.most_common(3)),
            false_positives=tuple(i for _, i in sorted(fps, key=lambda p: p[0])[:limit]),
            false_negatives=tuple(i for _, i in sorted(fns, key=lambda p: p[0])[:limit]),
        ))
    seen = None
    if training_ids is not None:
        trained = set(map(str, training_ids))
        seen = sum(1 for r in records if str(r["id"]) in trained)
    return ReviewResult(tuple(reviews), len(records), n_not_coded, has_scores, limit, filters, seen)


def _score(value) -> float | None:
    try:
        score = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(score) else score


def _item(record, kind, theme, score, source, words, machine, people, review_flag) -> ReviewItem:
    return ReviewItem(id=record["id"], text=str(record.get("text", "")), kind=kind, theme=theme, score=score,
                      source=source, highlight=words, machine=machine, human=people, needs_review=review_flag,
                      wave=str(record.get("wave", "")), question=str(record.get("question", "")))
