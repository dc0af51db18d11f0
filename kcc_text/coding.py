"""Coding answers: rules (and, when given, a trained model) turn texts into theme sets.

Parsing goes through `parsing.AnswerParser` and decisions through `model.decision`, the same
path that training and evaluation take. The coded frame's columns are owned by `io.coded`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .codebook.definition import Codebook
from .errors import UsageError
from .io.coded import ThemeCodes, check_input_columns, coded_frame
from .parsing import AnswerParser


@dataclass(frozen=True)
class AnswerCode:
    """The coding of one answer."""

    themes: tuple[str, ...]
    evidence: dict[str, list[str]]
    sources: dict[str, str]
    scores: dict[str, float] | None  # calibrated probability of each theme that applies to the question
    needs_review: bool
    confidence: float | None = None  # probability that the whole theme set is right (with a model)


class Coder:
    """Codes texts with a codebook's rules, and with a trained model when one is given."""

    def __init__(self, codebook: Codebook, *, model=None, spacy_model: str | None = None,
                 target_precision: float | None = None, allow_codebook_change: bool = False):
        if target_precision is not None:
            if model is None:
                raise UsageError("a target precision needs a trained model: without one there is no "
                                 "estimate of how often a code is right")
            if not 0.0 < target_precision < 1.0:
                raise UsageError(f"target precision must be between 0 and 1 (got {target_precision})")
        if model is None and not codebook.has_patterns:
            raise UsageError(f"codebook {codebook.ref} has no patterns, so its themes can only be found "
                             "by a trained model")
        self.codebook = codebook
        self.model = model
        self.target_precision = target_precision
        self.parser = AnswerParser(codebook, spacy_model, words=model is not None)
        self.notes: list[str] = []  # what a person should know about this coding (e.g. a newer codebook)
        # Question -> answered yes/no?, decided on the first chunk holding the question, so that
        # every chunk of a file flags non-answers the same way (`analysis.non_answers`).
        self._yes_no: dict = {}
        if model is not None:
            self.notes = model.check_codebook(codebook, allow_change=allow_codebook_change)
            model.check_pipeline(self.parser.pipeline)
            model.check_features()

    @property
    def pipeline(self) -> str:
        return self.parser.pipeline

    def code_parsed(self, parsed) -> list[AnswerCode]:
        if self.model is None:
            return [_rules_only(e, empty) for e, empty in zip(parsed.evidence, parsed.empty)]
        decided = self.model.decide(parsed)
        auto = self.model.auto_coded(decided, self.target_precision)
        return answer_codes(decided, auto, parsed.evidence, self.codebook.theme_ids, parsed.applies)

    def code_texts(self, texts: list[str], questions: list[str | None] | None = None) -> list[AnswerCode]:
        return self.code_parsed(self.parser.parse(texts, questions))

    def code_batch(self, parsed) -> ThemeCodes:
        """`code_parsed` as arrays by theme (what `io.coded.coded_frame` writes), without a per-answer loop."""
        import numpy as np

        if self.model is None:
            # Without a model nothing estimates how often a rule is right; an answer with words
            # but no matching pattern is the one a person must read.
            assigned = parsed.rule_hits
            return ThemeCodes(sources=np.where(assigned, "rules", ""), scores=None, applies=parsed.applies,
                              needs_review=~parsed.empty & ~assigned.any(axis=1), confidence=None,
                              evidence=parsed.evidence)
        decided = self.model.decide(parsed)
        auto = self.model.auto_coded(decided, self.target_precision)
        rules, model = decided.rules, decided.model
        sources = np.where(decided.hybrid, np.where(rules & model, "both", np.where(rules, "rules", "model")), "")
        column = {t: j for j, t in enumerate(self.codebook.theme_ids)}
        # Evidence of themes the model overruled would contradict th_<id>; keep what was assigned.
        evidence = [{t: words for t, words in found.items() if row[column[t]]} if found else found
                    for found, row in zip(parsed.evidence, decided.hybrid.tolist())]
        return ThemeCodes(sources=sources, scores=decided.P, applies=parsed.applies, needs_review=~auto,
                          confidence=np.where(decided.empty, 1.0, decided.confidence_probability),
                          evidence=evidence)

    def code_chunk(self, chunk, yes_no: set | None = None):
        """The coded rows of one chunk of a corpus frame.

        `yes_no`: the questions answered yes/no (see `analysis.non_answers`), when decided
        elsewhere; else decided here, on the first chunk that holds each question. An answer's
        coding depends only on its text and question, so each distinct pair is coded once and
        its coded columns repeated for the rows that share it.
        """
        import pandas as pd

        texts = chunk["text"].tolist()
        questions = chunk["question"].tolist() if "question" in chunk.columns else None
        if yes_no is None:
            yes_no = self._yes_no_questions(texts, questions)
        model_id = self.model.model_id if self.model is not None else None
        first: dict = {}
        inverse = [first.setdefault(key, i) for i, key in enumerate(answer_keys(texts, questions))]
        if len(first) == len(texts):
            return coded_frame(chunk, self.code_batch(self.parser.parse(texts, questions)), codebook=self.codebook,
                               pipeline=self.pipeline, model_id=model_id, yes_no=yes_no)
        rows = list(first.values())
        parsed = self.parser.parse([texts[i] for i in rows], [questions[i] for i in rows] if questions else None)
        coded = coded_frame(chunk.iloc[rows], self.code_batch(parsed), codebook=self.codebook,
                            pipeline=self.pipeline, model_id=model_id, yes_no=yes_no)
        position = {row: n for n, row in enumerate(rows)}
        added = coded.iloc[:, chunk.shape[1]:].take([position[i] for i in inverse]).reset_index(drop=True)
        return pd.concat([chunk.reset_index(drop=True), added], axis=1)

    def _yes_no_questions(self, texts, questions) -> set:
        from .analysis.non_answers import yes_no_questions

        questions = questions if questions is not None else [None] * len(texts)
        new = {q for q in questions if q not in self._yes_no}
        if new:
            found = yes_no_questions(texts, questions)
            self._yes_no.update({q: q in found for q in new})
        return {q for q, yes in self._yes_no.items() if yes}


def answer_keys(texts, questions=None) -> list[tuple]:
    """What an answer's coded columns depend on: its text and question, as they are in the file."""
    questions = questions if questions is not None else [None] * len(texts)
    return [(t, q) if isinstance(t, str) else ((None, repr(t)), q) for t, q in zip(texts, questions)]


def answer_codes(decided, auto, evidence, themes, applies) -> list[AnswerCode]:
    """One AnswerCode per answer from model decisions (see `model.decision.decide`).

    A theme that does not apply to the answer's question has no probability (not 0). The
    confidence is the model's decision confidence as a probability (see `model.selective`);
    an empty answer has no theme by definition, so its set is right with probability 1.
    """
    import numpy as np

    # Rows as Python lists once: indexing numpy arrays cell by cell is the slow part here.
    hybrid, by_rules, by_model = decided.hybrid.tolist(), decided.rules.tolist(), decided.model.tolist()
    P, applies = decided.P.tolist(), np.asarray(applies).tolist()
    confidence, empty, auto = decided.confidence_probability.tolist(), decided.empty.tolist(), auto.tolist()
    codes = []
    for i in range(len(evidence)):
        sources = {t: "both" if r and m else ("rules" if r else "model")
                   for t, assigned, r, m in zip(themes, hybrid[i], by_rules[i], by_model[i]) if assigned}
        # Evidence of themes the model overruled would contradict th_<id>; keep what was assigned.
        shown = {t: words for t, words in evidence[i].items() if t in sources}
        codes.append(AnswerCode(themes=tuple(sources), evidence=shown, sources=sources,
                                scores={t: p for t, p, a in zip(themes, P[i], applies[i]) if a},
                                needs_review=not auto[i], confidence=1.0 if empty[i] else confidence[i]))
    return codes


def _rules_only(evidence: dict[str, list[str]], empty: bool) -> AnswerCode:
    themes = tuple(evidence)
    # Without a model nothing estimates how often a rule is right; an answer with words
    # but no matching pattern is the one a person must read.
    return AnswerCode(themes=themes, evidence=evidence, sources={t: "rules" for t in themes},
                      scores=None, needs_review=not empty and not themes)


def code_frame(frame, coder: Coder, *, chunk_size: int = 2000, progress: Callable[[int], None] | None = None):
    """Code every answer of a corpus frame (from `read_corpus`); return the coded frame."""
    import pandas as pd

    check_input_columns(frame)
    parts = []
    for start in range(0, len(frame), chunk_size):
        chunk = frame.iloc[start:start + chunk_size]
        parts.append(coder.code_chunk(chunk))
        if progress is not None:
            progress(len(chunk))
    if not parts:
        return coder.code_chunk(frame)
    return pd.concat(parts, ignore_index=True)
