"""Which answer a row is: its id, or its id and question when ids repeat across questions.

A wide file coded into the long format keeps the respondent's id on each of that
respondent's answers, so there an answer is (`id`, `question`). Files whose ids are unique
(the usual long file) keep the plain id as the key, so nothing changes for them. Labels
rows carry `question` for exactly this reason: they are matched on (`id`, `question`) as
soon as any file in the comparison repeats an id across questions.
"""

from __future__ import annotations

from ..errors import InputFileError

SEPARATOR = " · "  # shown where a key names an answer, e.g. in `review`: "r17 · aanbevelen"


def repeats_ids(frame) -> bool:
    """Whether some id in `frame` belongs to answers to more than one question."""
    if frame is None or "question" not in frame.columns or "id" not in frame.columns or frame.empty:
        return False
    pairs = frame[["id", "question"]].astype(str).apply(lambda s: s.str.strip())
    pairs = pairs[pairs["question"] != ""].drop_duplicates()
    return bool(pairs["id"].duplicated().any())


def keyed_by_question(*frames) -> bool:
    """Key every frame by (id, question) when any of them repeats an id across questions."""
    return any(repeats_ids(frame) for frame in frames)


def answer_keys(frame, by_question: bool, path=None):
    """The key of every row: the id, or "id · question" when `by_question` (an empty question keeps the id)."""
    ids = frame["id"].astype(str).str.strip()
    if not by_question:
        return ids
    if "question" not in frame.columns:
        raise InputFileError("has no question column, but the answers repeat ids across questions, so an id "
                             "alone does not say which answer a row is: add the question of every row", path)
    questions = frame["question"].astype(str).str.strip()
    return ids.where(questions == "", ids + SEPARATOR + questions)


def with_keys(frame, by_question: bool, path=None):
    """`frame` with its `id` replaced by the answer key (the frame itself when ids are keys already)."""
    if not by_question:
        return frame
    return frame.assign(id=answer_keys(frame, True, path))
