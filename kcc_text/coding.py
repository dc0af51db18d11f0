"""Coding answers: rules (and, when given, a trained model) turn texts into theme sets.

Parsing goes through `parsing.AnswerParser` and decisions through `model.decision`, the same
path that training and evaluation take. The coded frame's columns are owned by `io.coded`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .codebook.definition import Codebook
from .errors import UsageError
from .io.coded import check_input_columns, coded_frame
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
        self.parser = AnswerParser(codebook, spacy_model)
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

    def code_chunk(self, chunk):
        """The coded rows of one chunk of a corpus frame."""
        questions = chunk["question"].tolist() if "question" in chunk.columns else None
        codes = self.code_texts(chunk["text"].tolist(), questions)
        return coded_frame(chunk, codes, codebook=self.codebook, pipeline=self.pipeline,
                           model_id=self.model.model_id if self.model is not None else None,
                           yes_no=self._yes_no_questions(chunk["text"].tolist(), questions))

    def _yes_no_questions(self, texts, questions) -> set:
        from .analysis.non_answers import yes_no_questions

        questions = questions if questions is not None else [None] * len(texts)
        new = {q for q in questions if q not in self._yes_no}
        if new:
            found = yes_no_questions(texts, questions)
            self._yes_no.update({q: q in found for q in new})
        return {q for q, yes in self._yes_no.items() if yes}


def answer_codes(decided, auto, evidence, themes, applies) -> list[AnswerCode]:
    """One AnswerCode per answer from model decisions (see `model.decision.decide`).

    A theme that does not apply to the answer's question has no probability (not 0). The
    confidence is the model's decision confidence as a probability (see `model.selective`);
    an empty answer has no theme by definition, so its set is right with probability 1.
    """
    confidence = decided.confidence_probability
    codes = []
    for i in range(len(evidence)):
        sources = {}
        for j, t in enumerate(themes):
            if decided.hybrid[i, j]:
                by_rules, by_model = bool(decided.rules[i, j]), bool(decided.model[i, j])
                sources[t] = "both" if by_rules and by_model else ("rules" if by_rules else "model")
        # Evidence of themes the model overruled would contradict th_<id>; keep what was assigned.
        shown = {t: words for t, words in evidence[i].items() if t in sources}
        codes.append(AnswerCode(themes=tuple(sources), evidence=shown, sources=sources,
                                scores={t: float(decided.P[i, j]) for j, t in enumerate(themes) if applies[i, j]},
                                needs_review=not bool(auto[i]),
                                confidence=1.0 if decided.empty[i] else float(confidence[i])))
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
