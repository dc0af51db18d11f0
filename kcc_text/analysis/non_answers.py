"""Non-answers ("n.v.t.", "weet niet", "-"): answers that say nothing, left out of share denominators.

The Dutch default list is data (`kcc_text/data/nl_non_answers.txt`): phrases that make up a
whole answer, filler words ignored around them, and "ja"/"nee"/"misschien", which are
non-answers to an open question but answers to a yes/no question. A blank answer is a
non-answer too: whether a respondent skipped the box or typed "-" should not change the base.

Which questions are yes/no is read from the answers themselves: a question is treated as a
yes/no question when at least `YES_NO_SHARE` of its non-blank answers start with "ja" or
"nee" (the bundled "aanbevelen" question: 78%; an open question such as
"toegevoegde_waarde": 0%), because the codebook does not record question types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

YES_NO_SHARE = 0.25
_NON_WORD = re.compile(r"[^\w]+")
_YES_NO_START = re.compile(r"^\W*(ja|nee)\b", re.IGNORECASE)


@dataclass(frozen=True)
class NonAnswerList:
    phrases: frozenset[str]
    fillers: frozenset[str]
    unless_yes_no: frozenset[str]


@lru_cache(maxsize=1)
def default_list() -> NonAnswerList:
    """The Dutch default list, read once from the package data."""
    from ..language_data import read_sections

    sections = read_sections("nl_non_answers.txt")
    fillers = frozenset(sections["fillers"])
    return NonAnswerList(frozenset(_key(p, fillers) for p in sections["phrases"]), fillers,
                         frozenset(_key(p, fillers) for p in sections["unless_yes_no"]))


def _key(text: str, fillers: Iterable[str] = ()) -> str:
    """An answer reduced to its words: lower case, dots deleted, other punctuation and fillers dropped."""
    words = _NON_WORD.sub(" ", text.lower().replace(".", "")).replace("_", " ").split()
    fillers = frozenset(fillers)
    return " ".join(word for word in words if word not in fillers)


def _text(value: object) -> str:
    from ..io.cells import cell_text

    return cell_text(value)


def is_non_answer(text: object, extra: Iterable[str] = (), *, yes_no_question: bool = False) -> bool:
    """True when the whole answer says nothing: blank, "-", "n.v.t.", "weet ik niet", "geen idee", ...

    `extra` adds phrases (compared the same way); "ja", "nee" and "misschien" count only when
    the question is not a yes/no question.
    """
    return _NonAnswers(tuple(extra))(text, yes_no_question)


class _NonAnswers:
    """`is_non_answer` with what does not depend on the answer looked up once."""

    def __init__(self, extra: tuple[str, ...]):
        self.words = default_list()
        # A word made of letters alone is a word of the key as it stands: one no non-answer (nor
        # filler) has means this is an answer, without reducing the whole text to its key.
        self.known = _known_words(extra)
        self.extra_keys = frozenset(_key(phrase, self.words.fillers) for phrase in extra)

    def __call__(self, text: object, yes_no_question: bool) -> bool:
        if type(text) is not str:
            text = _text(text)
        known = self.known
        for word in text.lower().split():
            if word not in known and word.isalpha():
                return False
        words = self.words
        key = _key(text, words.fillers)
        if not key or key in words.phrases:
            return True
        if not yes_no_question and key in words.unless_yes_no:
            return True
        return key in self.extra_keys


@lru_cache(maxsize=16)
def _known_words(extra: tuple[str, ...]) -> frozenset[str]:
    """Every word of a non-answer phrase (the default list and `extra`), and the fillers."""
    words = default_list()
    keys = set(words.phrases) | set(words.unless_yes_no) | {_key(phrase, words.fillers) for phrase in extra}
    return frozenset(word for key in keys for word in key.split()) | words.fillers


def yes_no_questions(texts: Sequence[object], questions: Sequence[object]) -> set:
    """The questions at least `YES_NO_SHARE` of whose non-blank answers start with "ja" or "nee"."""
    answered: dict = {}
    yes_no: dict = {}
    for text, question in zip(texts, questions):
        text = _text(text).strip()
        if text:
            answered[question] = answered.get(question, 0) + 1
            yes_no[question] = yes_no.get(question, 0) + bool(_YES_NO_START.match(text))
    return {q for q, count in answered.items() if yes_no[q] >= YES_NO_SHARE * count}


def flag_non_answers(texts: Sequence[object], questions: Sequence[object] | None = None,
                     extra: Iterable[str] = (), *, yes_no: set | None = None) -> list[bool]:
    """Per answer: is it a non-answer? Yes/no questions are recognised from the answers (module docstring).

    `yes_no`: the yes/no questions when already known (a file coded in chunks decides them once).
    """
    questions = list(questions) if questions is not None else [None] * len(texts)
    extra = tuple(extra)
    if yes_no is None:
        yes_no = yes_no_questions(texts, questions)
    check = _NonAnswers(extra)
    return [check(text, question in yes_no) for text, question in zip(texts, questions)]
