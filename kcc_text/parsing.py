"""The one parse path: answers -> Dutch pipeline -> pattern evidence -> model features.

Training, evaluation and coding all parse through `AnswerParser.parse`, so the lemmas,
negation marks and pattern hits a model learns from are the ones it codes with.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codebook.definition import Codebook
from .nlp.pipeline import analyse, load_pipeline, pipeline_id
from .rules import RuleMatcher


@dataclass
class ParsedAnswers:
    """A batch of parsed answers, aligned with the codebook's themes."""

    texts: list
    questions: list  # question key or None per answer
    evidence: list  # per answer: theme id -> matched words (themes that apply only)
    rows: object  # DataFrame of model input (see model.features.feature_rows)
    applies: object  # (n, themes) bool: the theme applies to the answer's question
    rule_hits: object  # (n, themes) bool
    empty: object  # (n,) bool: no text

    def __len__(self) -> int:
        return len(self.texts)


class AnswerParser:
    """Parses answers with the Dutch pipeline and matches the codebook's patterns."""

    def __init__(self, codebook: Codebook, spacy_model: str | None = None, nlp=None):
        self.codebook = codebook
        self.nlp = nlp or load_pipeline(spacy_model)
        self.rules = RuleMatcher(codebook, self.nlp)

    @property
    def pipeline(self) -> str:
        return pipeline_id(self.nlp)

    def parse(self, texts, questions=None, batch_size: int = 512) -> ParsedAnswers:
        import numpy as np

        from .model.features import feature_rows

        texts = ["" if t is None else str(t) for t in texts]
        questions = [q or None for q in questions] if questions is not None else [None] * len(texts)
        docs = list(analyse(self.nlp, texts, batch_size=batch_size))
        evidence = [self.rules.match(doc, q) if doc.text.strip() else {} for doc, q in zip(docs, questions)]
        themes = self.codebook.themes
        by_question = {q: [t.applies_to(q) for t in themes] for q in set(questions)}
        n, k = len(texts), len(themes)
        applies = np.array([by_question[q] for q in questions], dtype=bool).reshape(n, k)
        ids = self.codebook.theme_ids
        hits = np.array([[t in e for t in ids] for e in evidence], dtype=bool).reshape(n, k)
        empty = np.array([not t.strip() for t in texts], dtype=bool)
        return ParsedAnswers(texts=texts, questions=questions, evidence=evidence,
                             rows=feature_rows(docs, evidence, questions), applies=applies, rule_hits=hits,
                             empty=empty)
