"""Gathering what the HTML report shows: shares per wave, the shift, examples, codebook, model and audit.

Everything here is data for `html.render`; nothing is formatted as HTML and nothing prints.
The shift between waves is `kcc_text.shift.theme_shift`'s result, used as it is; this module
only adds what that result does not hold: each wave's share with its 95% Wilson score
interval (statsmodels `proportion_confint(method="wilson")`) for the chart. With two waves the
shift is the pairwise report (b - a per theme); with three or more it is the groups report
(every wave's share and one test per theme across all waves), as `kcc-text shift` gives it.

The `audit` dict `build_report` accepts (all keys optional; `audit_summary` makes one from a
labels file):

- `source` (str): the labels file's name, shown as given.
- `n_audited` (int): answers of the coded file that a person coded in the audit.
- `n_unmatched` (int): coded ids in the labels that are not in the coded file.
- `per_group` (list of dict): `question`, `wave`, `audited`, `answers` per question and wave.
- `agreement` (dict): the machine's codes scored against the audit's on the audited answers:
  `n`, `exact_set` (share of answers with the same theme set), `exact_set_low`,
  `exact_set_high` (its 95% Wilson interval), `micro_precision`, `micro_recall`, `micro_f1`.
- `estimates` (list of dict): audit-corrected shift rows, shown as a table per question when
  given. With `kind` "pairwise" (the default) the contract's `shift --audit` columns:
  `question`, `theme`, `label`, `pct_a`, `pct_b`, `diff_pp`, `ci_low`, `ci_high`, `p_adjusted`,
  `pct_a_low`, `pct_a_high`, `pct_b_low`, `pct_b_high`, `pct_a_machine`, `pct_b_machine`,
  `diff_pp_machine`, `n_audit_a`, `n_audit_b`. With `kind` "groups" one row per theme and
  wave: `question`, `theme`, `label`, `group`, `pct`, `pct_low`, `pct_high`, `pct_machine`,
  `n_audit`, `p_adjusted`. Percentages are in percent.
- `kind` (str) and `groups` (list of str): "pairwise" with the waves a and b, or "groups" with
  every wave.
- `method` (str): how the estimates were made, shown under them.
- `warnings` (list of str): about the audit (too small, not random-looking).
- `not_corrected` (dict): question (None: all answers) -> why its shares were not corrected.

`audit_estimates` fills the last five from a coded file and an audit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from ..analysis.shift import split_themes, theme_shift

CONFIDENCE = 0.95
EXAMPLE_CHARS = 320  # longer answers are cut at a word boundary: an example illustrates, it is not the data


@dataclass(frozen=True)
class WaveShare:
    wave: str
    count: int  # answers with the theme
    n: int  # answers of that wave to the question
    pct: float
    low: float  # 95% Wilson interval, percent
    high: float


@dataclass(frozen=True)
class ThemeShares:
    theme: str
    label: str
    waves: tuple[WaveShare, ...]


@dataclass(frozen=True)
class Example:
    text: str
    wave: str
    confidence: float | None  # the model's probability for this theme (or for the theme set), if known
    human: bool  # the codes of this row are a person's


@dataclass
class QuestionSection:
    key: str | None
    wording: str
    waves: list[tuple[str, int]]  # (wave, answers) in data order
    shares: list[ThemeShares]  # themes with at least one answer, most frequent in the last wave first
    unused: list[str]  # labels of applicable themes no answer got
    no_theme: list[tuple[str, int]]  # (wave, answers without any theme)
    review: list[tuple[str, int]]  # (wave, answers flagged needs_review)
    shift: Any = None  # the question's rows of the ShiftResult table (DataFrame), or None
    shift_warnings: list[str] = field(default_factory=list)
    examples: dict[str, list[Example]] = field(default_factory=dict)  # theme id -> examples


@dataclass
class ReportData:
    codebook: Any  # kcc_text.codebook.Codebook
    coded_with: list[str]  # `codebook` values found in the coded file
    pipelines: list[str]
    models: list[str]
    n_answers: int
    n_review: int | None  # None: the file has no needs_review column
    n_human: int | None  # rows whose `source` is human; None without a source column
    waves: list[str]
    sections: list[QuestionSection]
    shift: Any = None  # the ShiftResult: pairwise with two waves, groups with more; None with one wave
    warnings: list[str] = field(default_factory=list)
    model: dict | None = None  # model_summary(card)
    audit: dict | None = None
    examples_per_theme: int = 3
    pseudonymised: bool = False
    replaced: dict[str, int] = field(default_factory=dict)  # what the pseudonymiser replaced, by kind
    has_confidence: bool = False


def _cell(value: object) -> str:
    from ..io.cells import cell_text

    return cell_text(value)


def _number(value: object) -> float | None:
    text = _cell(value).lstrip("'")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number else None


def wilson(count: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval of count/n in percent (statsmodels)."""
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, n, alpha=1 - CONFIDENCE, method="wilson")
    return 100 * float(low), 100 * float(high)


def gather(coded, codebook, *, model_card: Mapping | None = None, audit: Mapping | None = None,
           examples_per_theme: int = 3,
           pseudonymise: Callable[[list[str], list[str]], tuple[list[str], Any]] | None = None) -> ReportData:
    """Everything the report shows, from a coded-file DataFrame and its codebook."""
    if "themes" not in coded.columns:
        raise UsageError("no 'themes' column: expected coded answers (the output of kcc-text code)")
    if examples_per_theme < 0:
        raise UsageError(f"examples per theme must be 0 or more (got {examples_per_theme})")
    frame = coded.reset_index(drop=True)
    assigned = [split_themes(v) for v in frame["themes"]]
    questions = ([_cell(v) for v in frame["question"]] if "question" in frame.columns else [None] * len(frame))
    waves = [_cell(v) for v in frame["wave"]] if "wave" in frame.columns else ["all answers"] * len(frame)
    wave_order = list(dict.fromkeys(w for w in waves if w))
    question_order = list(dict.fromkeys(questions))
    review = [_cell(v) == "1" for v in frame["needs_review"]] if "needs_review" in frame.columns else None
    human = [_cell(v).lower() == "human" for v in frame["source"]] if "source" in frame.columns else None

    warnings: list[str] = []
    known = set(codebook.theme_ids)
    unknown = sorted(set().union(*assigned) - known) if assigned else []
    if unknown:
        warnings.append(f"themes in the coded file that codebook {codebook.ref} does not list were left out: "
                        f"{', '.join(unknown)}")
    unwaved = sum(1 for w in waves if not w)
    if unwaved:
        warnings.append(f"{unwaved} answer(s) without a wave were left out")
    coded_with = sorted({_cell(v) for v in frame["codebook"]} - {""}) if "codebook" in frame.columns else []
    if coded_with and coded_with != [codebook.ref]:
        warnings.append(f"the answers were coded with {', '.join(coded_with)}; the theme labels shown are "
                        f"from {codebook.ref}")
    if model_card is not None:
        card_book = model_card.get("codebook", {})
        if card_book.get("hash") and card_book.get("hash") != codebook.hash:
            warnings.append(f"the model was trained on codebook {card_book.get('name')}@{card_book.get('version')} "
                            f"(hash {card_book.get('hash')}), not on {codebook.ref} (hash {codebook.hash})")

    result = None
    if len(wave_order) >= 2:
        result = theme_shift(frame[[bool(w) for w in waves]].reset_index(drop=True), list(codebook.themes),
                             by="wave", non_answer_phrases=codebook.non_answers)
        warnings.extend(w for w in result.warnings if not w.startswith("question '"))

    sections = []
    for q in question_order:
        rows = [i for i, (qq, w) in enumerate(zip(questions, waves)) if qq == q and w]
        sections.append(_section(q, rows, codebook, assigned, waves, wave_order, review, result))

    data = ReportData(
        codebook=codebook, coded_with=coded_with, n_answers=len(frame),
        pipelines=sorted({_cell(v) for v in frame["pipeline"]} - {""}) if "pipeline" in frame.columns else [],
        models=sorted({_cell(v) for v in frame["model"]} - {""}) if "model" in frame.columns else [],
        n_review=sum(review) if review is not None else None,
        n_human=sum(human) if human is not None else None,
        waves=wave_order, sections=sections, shift=result, warnings=warnings,
        model=model_summary(model_card) if model_card is not None else None,
        audit=dict(audit) if audit is not None else None,
        examples_per_theme=examples_per_theme, pseudonymised=pseudonymise is not None,
        has_confidence="confidence" in frame.columns or any(c.startswith("p_") for c in frame.columns),
    )
    if examples_per_theme:
        _pick_examples(data, frame, assigned, questions, waves, review, human, pseudonymise)
    return data


def _section(q, rows, codebook, assigned, waves, wave_order, review, result) -> QuestionSection:
    sizes = Counter(waves[i] for i in rows)
    present = [w for w in wave_order if sizes[w]]
    counts = {w: Counter() for w in present}
    for i in rows:
        counts[waves[i]].update(assigned[i])
    shares = []
    unused = []
    for theme in codebook.themes_for(q):
        if not any(counts[w][theme.id] for w in present):
            unused.append(theme.label)
            continue
        per_wave = []
        for w in present:
            k, n = counts[w][theme.id], sizes[w]
            low, high = wilson(k, n)
            per_wave.append(WaveShare(w, k, n, 100 * k / n, low, high))
        shares.append(ThemeShares(theme.id, theme.label, tuple(per_wave)))
    # Most frequent in the latest wave first: the order a reader scans a bar chart in.
    shares.sort(key=lambda s: (-s.waves[-1].pct, -sum(x.pct for x in s.waves)))
    no_theme = [(w, sum(1 for i in rows if waves[i] == w and not (assigned[i] & set(codebook.theme_ids))))
                for w in present]
    flagged = ([(w, sum(1 for i in rows if waves[i] == w and review[i])) for w in present]
               if review is not None else [])
    section = QuestionSection(key=q, wording=codebook.questions.get(q, "") if q else "",
                              waves=[(w, sizes[w]) for w in present], shares=shares, unused=unused,
                              no_theme=no_theme, review=flagged)
    if result is not None and q in result.questions:
        section.shift = dict(result.sections())[q]
        prefix = f"question '{q}': "
        section.shift_warnings = [w[len(prefix):] for w in result.warnings if w.startswith(prefix)]
    elif result is not None:
        listed = " and ".join(result.groups) if len(result.groups) == 2 else ", ".join(result.groups)
        section.shift_warnings = [f"not compared: it has no answers in one of the waves {listed}"]
    return section


def _pick_examples(data: ReportData, frame, assigned, questions, waves, review, human, pseudonymise) -> None:
    """Per question and theme the clearest answers: human-coded, most confident, not to review, single-theme."""
    texts = [_cell(v) for v in frame["text"]] if "text" in frame.columns else [""] * len(frame)
    # The model's probability for the theme, else the row's confidence in its whole theme set.
    scores = {c: [_number(v) for v in frame[c]] for c in frame.columns
              if c == "confidence" or (c.startswith("p_") and c[2:] in set(data.codebook.theme_ids))}
    overall = scores.get("confidence")
    candidates: dict[tuple, list] = {}
    for i, (ids, q, w) in enumerate(zip(assigned, questions, waves)):
        if not (w and texts[i]):
            continue
        for theme in ids:
            own = scores.get(f"p_{theme}")
            conf = own[i] if own is not None and own[i] is not None else overall[i] if overall else None
            candidates.setdefault((q, theme), []).append(
                ((not human[i]) if human else True, -conf if conf is not None else 0.0,
                 bool(review[i]) if review else False, len(ids), i, conf))
    chosen: list[tuple[QuestionSection, str, int, float | None]] = []
    for section in data.sections:
        for shares in section.shares:
            seen = set()
            for *_, i, conf in sorted(candidates.get((section.key, shares.theme), [])):
                key = " ".join(texts[i].lower().split())
                if key in seen:
                    continue
                seen.add(key)
                chosen.append((section, shares.theme, i, conf))
                if len(seen) == data.examples_per_theme:
                    break
    shown = [texts[i] for _, _, i, _ in chosen]
    if pseudonymise is not None and shown:
        id_column = "respondent_id" if "respondent_id" in frame.columns else "id"
        people = ([_cell(frame.at[i, id_column]) for _, _, i, _ in chosen] if id_column in frame.columns
                  else [str(i) for _, _, i, _ in chosen])
        safe, counts = pseudonymise(shown, people)
        safe = list(safe)
        if len(safe) != len(shown):
            raise UsageError(f"the pseudonymiser returned {len(safe)} texts for {len(shown)}")
        shown = [str(t) for t in safe]
        data.replaced = _tally(counts)
    for (section, theme, i, conf), text in zip(chosen, shown):
        section.examples.setdefault(theme, []).append(
            Example(_shorten(text), waves[i], conf, bool(human[i]) if human else False))


def _tally(counts) -> dict[str, int]:
    """A pseudonymiser's counts as {kind: number}: a mapping, or one mapping per text."""
    total: Counter = Counter()
    if isinstance(counts, Mapping):
        counts = [counts]
    for item in counts or []:
        if isinstance(item, Mapping):
            for kind, number in item.items():
                total[str(kind)] += int(number)
    return dict(sorted((kind, n) for kind, n in total.items() if n))  # the kinds it replaced


def _shorten(text: str) -> str:
    if len(text) <= EXAMPLE_CHARS:
        return text
    cut = text[:EXAMPLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + " …"


# Model card --------------------------------------------------------------------------------------


def model_summary(card: Mapping) -> dict:
    """What the report says about the model: id, features, training size, cross-validated scores."""
    params = card.get("params", {}) or {}
    cv = card.get("cross_validation", {}) or {}
    hybrid = cv.get("hybrid", {}) or {}
    word = params.get("word_ngrams")
    char = params.get("char_ngrams")
    parts = []
    if word:
        parts.append(f"TF-IDF of lemma {word[0]}–{word[1]}-grams")
    if char:
        parts.append(f"character {char[0]}–{char[1]}-grams within words")
    parts += ["codebook pattern hits", "the question"]
    features = card.get("features")
    described = ", ".join(parts) if features in (None, "lexical") else str(features)
    if isinstance(features, str) and features != "lexical":
        described = f"{features} (as recorded in the model card)"
    training = card.get("training_data", {}) or {}
    book = card.get("codebook", {}) or {}
    # A card is JSON from a file someone sent: numbers are checked to be numbers, the rest is text.
    return {
        "model_id": str(card.get("model_id", "")),
        "created": str(card.get("created", "")),
        "codebook": f"{book.get('name', '?')}@{book.get('version', '?')}",
        "codebook_hash": str(book.get("hash", "")),
        "features": str(features or "lexical"),
        "features_text": described,
        "n_answers": _int(training.get("n_answers")),
        "n_groups": _int(training.get("n_respondent_groups")),
        "folds": _int(cv.get("folds")),
        "grouped_by": str(cv.get("grouped_by") or ""),
        "micro_f1": _float(hybrid.get("micro_f1")),
        "macro_f1": _float(hybrid.get("macro_f1")),
        "exact_set": _float(hybrid.get("exact_set_accuracy")),
        "rules_micro_f1": _float((cv.get("rules", {}) or {}).get("micro_f1")),
        "cv_note": str(cv.get("note", "")),
        "too_few": [str(t) for t in card.get("too_few_examples", []) or []],
        "min_positives": _int(card.get("min_positives")),
        "pipeline": str(card.get("pipeline", "")),
    }


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# Audit ---------------------------------------------------------------------------------------------


def audit_summary(coded, label_sets: Mapping[str, frozenset[str]], codebook, *, source: str | None = None) -> dict:
    """The audit figures `build_report` shows: how many answers a person coded, and how well the machine agreed.

    `label_sets` maps answer id (or (id, question) when ids repeat across questions) -> the
    person's theme ids (`kcc_text.io.labels.label_sets`, `analysis.audit_labels.audit_label_sets`).
    The agreement scores the coded file's `themes` against those codes on the audited
    answers with `kcc_text.evaluation.score_matrix`; the exact-set share gets a 95% Wilson
    interval. When the coded file's rows already carry human codes (`source` = human) the
    agreement is that of those codes with the audit, not the machine's.
    """
    import numpy as np

    from ..analysis.audit_labels import row_keys
    from ..analysis.evaluation import score_matrix

    if "id" not in coded.columns:
        raise UsageError("no 'id' column to join the audit labels on")
    ids = row_keys(coded, label_sets)
    questions = [_cell(v) for v in coded["question"]] if "question" in coded.columns else [""] * len(coded)
    waves = [_cell(v) for v in coded["wave"]] if "wave" in coded.columns else [""] * len(coded)
    rows = [i for i, answer_id in enumerate(ids) if answer_id in label_sets]
    groups: Counter = Counter(sorted(zip(questions, waves), key=_data_order(questions, waves)))
    audited: Counter = Counter((questions[i], waves[i]) for i in rows)
    summary: dict[str, Any] = {
        "n_audited": len(rows),
        "n_unmatched": len(set(label_sets) - set(ids)),
        "per_group": [{"question": q, "wave": w, "audited": audited[(q, w)], "answers": n}
                      for (q, w), n in groups.items()],
    }
    if source is not None:
        summary["source"] = source
    if rows:
        themes = codebook.theme_ids
        gold = np.array([[t in label_sets[ids[i]] for t in themes] for i in rows], dtype=bool)
        machine = [split_themes(coded["themes"].iloc[i]) for i in rows]
        pred = np.array([[t in m for t in themes] for m in machine], dtype=bool)
        scores = score_matrix(gold, pred, themes)
        same = int(round(scores.exact_accuracy * len(rows)))
        low, high = wilson(same, len(rows))
        summary["agreement"] = {"n": len(rows), "exact_set": scores.exact_accuracy,
                                "exact_set_low": low / 100, "exact_set_high": high / 100,
                                "micro_precision": scores.micro.precision, "micro_recall": scores.micro.recall,
                                "micro_f1": scores.micro.f1}
    return summary


def audit_estimates(coded, label_sets: Mapping, codebook) -> dict:
    """Audit-corrected shares and shifts between waves, per question, for the report's `audit` dict.

    `theme_shift(..., audit=...)`: prediction-powered estimates (PPI++, `analysis.ppi`) that
    correct the machine's codes with the audited answers, next to the machine's own shares;
    pairwise with two waves, every wave with three or more. A question is corrected only where
    every wave has audited answers; otherwise `not_corrected` says why (the report then shows
    the machine's numbers for it, and says so). Audited answers that are not in the file are
    left out here; `audit_summary` counts them.
    """
    from ..analysis.audit_labels import row_keys

    frame = coded.reset_index(drop=True)
    waves = [_cell(v) for v in frame["wave"]] if "wave" in frame.columns else [""] * len(frame)
    waved = frame[[bool(w) for w in waves]].reset_index(drop=True)
    questions = (list(dict.fromkeys(_cell(v) for v in waved["question"])) if "question" in waved.columns
                 else [None])
    if len(set(w for w in waves if w)) < 2:
        return {"not_corrected": {q: "the data hold one wave only: there is no shift to correct"
                                  for q in questions}}
    keys = set(row_keys(waved, label_sets))
    matched = {key: themes for key, themes in label_sets.items() if key in keys}
    summary: dict[str, Any] = {"estimates": [], "warnings": [], "not_corrected": {}}
    corrected = []
    for q in questions:
        if not matched:
            summary["not_corrected"][q] = "no audited answer is in this file"
            continue
        try:
            theme_shift(waved, list(codebook.themes), by="wave", question=q, audit=matched)
        except UsageError as error:
            summary["not_corrected"][q] = error.detail
            continue
        corrected.append(q)
    if not corrected:
        return summary
    # One run over the questions that can be corrected: the numbers, method text and warnings are
    # then those `kcc-text shift --audit` gives for them.
    if "question" in waved.columns:
        keep = [_cell(v) in corrected for v in waved["question"]]
        waved = waved[keep].reset_index(drop=True)
        keys = set(row_keys(waved, matched))
        matched = {key: themes for key, themes in matched.items() if key in keys}
    result = theme_shift(waved, list(codebook.themes), by="wave",
                         question=corrected[0] if len(corrected) == 1 else None, audit=matched)
    summary.update(kind=result.kind, groups=list(result.groups), warnings=list(result.warnings),
                   method=f"{result.method['text']} Software: {result.method['software']}.")
    for question, rows in result.sections():
        summary["estimates"].extend({**row, "question": question} for row in rows.to_dict("records"))
    return summary


def _data_order(questions: list[str], waves: list[str]):
    """Sort key: question in order of appearance, then wave in order of appearance."""
    q_rank = {q: k for k, q in enumerate(dict.fromkeys(questions))}
    w_rank = {w: k for k, w in enumerate(dict.fromkeys(waves))}
    return lambda pair: (q_rank[pair[0]], w_rank[pair[1]])


def estimates_by_question(estimates: Sequence[Mapping] | None) -> dict[str | None, list[Mapping]]:
    """Audit-corrected rows grouped by question (rows without a question under None)."""
    grouped: dict[str | None, list[Mapping]] = {}
    for row in estimates or []:
        grouped.setdefault(_cell(row.get("question")) or None, []).append(row)
    return grouped
