"""The coded answers in the wide format (`code --wide`): one row per respondent, as the input had them.

Each row keeps the respondent's input columns, verbatim and in input order (the answer
columns of a wide input hold their answers again), then per question `<question>__themes`,
`<question>__needs_review`, with a model `<question>__confidence`, and a 0/1 column
`<question>__<theme>` for every theme that applies to that question. `needs_review` is 1
when any of the respondent's answers needs a person. The evidence, sources and per-theme
probabilities stay in the long output, which `shift`, `review` and `agreement` read.
"""

from __future__ import annotations

from ..errors import UsageError
from .coded import split_themes

SEPARATOR = "__"
NOT_MENTIONED, MENTIONED = "niet genoemd", "genoemd"


def wide_name(question: str, what: str) -> str:
    return f"{question}{SEPARATOR}{what}"


def to_wide(coded, answers, codebook) -> tuple:
    """The long coded frame of `answers` (a `corpus.Answers`) as one row per respondent.

    Returns the frame and its variable labels {column: label} for an SPSS output.
    """
    import pandas as pd

    layout, options = answers.layout, answers.options
    if "question" not in coded.columns or not (coded["question"] != "").any():
        raise UsageError("needs the question of every answer: name the question of each answer column, "
                         "or one question for the file", setting="wide")
    questions = layout.questions if layout.wide else list(dict.fromkeys(q for q in coded["question"] if q))
    text_of = {t.question: t.column for t in layout.text_columns} if layout.wide else {}
    per_answer = set()
    if not layout.wide:
        per_answer = {layout.text_columns[0].column}
        if options.question in answers.input_columns:
            per_answer.add(options.question)
    taken = [t for t in codebook.theme_ids if t in ("text", "themes", "needs_review", "confidence")]
    if taken:
        raise UsageError(f"theme id '{taken[0]}' is also the name of a --wide column per question; "
                         "write the long output instead")
    ids = list(dict.fromkeys(coded["id"]))
    first = coded.drop_duplicates("id").set_index("id").reindex(ids)
    columns: dict[str, list] = {"id": ids}
    if "wave" in coded.columns:
        columns["wave"] = first["wave"].tolist()
    for column in answers.input_columns:
        if column in columns or column in per_answer:
            continue
        if column in text_of.values():
            question = next(q for q, c in text_of.items() if c == column)
            columns[column] = _per_question(coded, question, ids, "text", "")
        else:
            columns[column] = first[column].tolist()
    labels: dict[str, str] = {}
    for name in ("codebook", "pipeline", "model"):
        if name in coded.columns:
            columns[name] = first[name].tolist()
    review = coded.groupby("id", sort=False)["needs_review"].max().reindex(ids)
    columns["needs_review"] = review.astype(int).tolist()
    wording = codebook.questions
    for question in questions:
        if not layout.wide:
            columns[wide_name(question, "text")] = _per_question(coded, question, ids, "text", "")
        for what in ("themes", "needs_review") + (("confidence",) if "model" in coded.columns else ()):
            columns[wide_name(question, what)] = _per_question(coded, question, ids, what, "")
        labels[wide_name(question, "needs_review")] = f"{question}: nakijken"
        for theme in codebook.themes_for(question):
            name = wide_name(question, theme.id)
            columns[name] = _per_question(coded, question, ids, "themes", "", lambda s, t=theme.id: _has(s, t))
            labels[name] = f"{wording.get(question, question)}: {theme.label}"[:256]
    clash = [c for c in columns if c in answers.input_columns and c not in ("id", "wave")
             and SEPARATOR in c and c.split(SEPARATOR)[0] in questions]
    if clash:
        raise UsageError(f"input column '{clash[0]}' has the name of a --wide output column; rename it")
    return pd.DataFrame(columns), labels


def _has(themes: str, theme_id: str) -> int:
    return int(theme_id in split_themes(themes))


def _per_question(coded, question, ids, column, missing, convert=None) -> list:
    """One value per respondent from their answer to `question` (`missing` when they have none)."""
    rows = coded.loc[coded["question"] == question].set_index("id")[column]
    if convert is not None:
        rows = rows.map(convert)
    found = rows.to_dict()
    return [found.get(i, missing) for i in ids]


def zero_one_columns(frame, codebook) -> list[str]:
    """The 0/1 theme columns of a wide frame."""
    return [c for c in frame.columns if SEPARATOR in c
            and c.rsplit(SEPARATOR, 1)[1] in set(codebook.theme_ids)]
