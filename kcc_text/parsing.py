"""The one parse path: answers -> Dutch pipeline -> pattern evidence -> model features.

Training, evaluation and coding all parse through `AnswerParser.parse`, so the lemmas,
negation marks and pattern hits a model learns from are the ones it codes with. With the
embedded pipeline each distinct text is parsed once per run by word form
(`form_parsing.FormParser`); with an installed spaCy model, answer by answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from .codebook.definition import Codebook
from .nlp.pipeline import NormalisingTokenizer, _lemmatizer, analyse, load_pipeline, normalise, pipeline_id
from .rules import RuleMatcher


@dataclass
class ParsedAnswers:
    """A batch of parsed answers, aligned with the codebook's themes."""

    texts: list
    questions: list  # question key or None per answer
    evidence: list  # per answer: theme id -> matched words (themes that apply only)
    applies: object  # (n, themes) bool: the theme applies to the answer's question
    rule_hits: object  # (n, themes) bool
    empty: object  # (n,) bool: no text
    records: list | None = None  # per answer: form_parsing.ParsedText (fast path)
    forms: object = None  # the form_parsing.FormParser that made `records`
    _rows: object = None

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def rows(self):
        """DataFrame of model input (see model.features.feature_rows)."""
        if self._rows is None:
            import pandas as pd

            texts = self.normalised_texts
            self._rows = pd.DataFrame({
                "lemmas": [self.forms.lemma_text(r) for r in self.records],
                "chars": [t.lower() for t in texts],
                "text": texts,  # for sentence embeddings (semantic models)
                "rules": [" ".join(e) for e in self.evidence],
                "question": [q or "" for q in self.questions],
            })
        return self._rows

    @property
    def normalised_texts(self) -> list[str]:
        """The texts as the Dutch pipeline reads them (curly quotes straightened, same length)."""
        return [normalise(t) for t in self.texts]


class AnswerParser:
    """Parses answers with the Dutch pipeline and matches the codebook's patterns."""

    def __init__(self, codebook: Codebook, spacy_model: str | None = None, nlp=None, *, by_form: bool = True,
                 words: bool = True):
        self.codebook = codebook
        self.nlp = nlp or load_pipeline(spacy_model)
        self.rules = RuleMatcher(codebook, self.nlp)
        self.by_form = by_form  # False: answer by answer even where the fast path could go
        self.words = words  # False: no word numbers for a model's features (coding by patterns alone)
        self._forms = None
        self._by_question: dict = {}  # question -> per theme: does it apply?
        self._allowed: dict = {}  # question -> the ids of the themes that apply
        self._pipeline: str | None = None

    @property
    def pipeline(self) -> str:
        if self._pipeline is None:  # asks package metadata for versions: once, not per chunk
            self._pipeline = pipeline_id(self.nlp)
        return self._pipeline

    @property
    def forms(self):
        """The form parser (embedded pipeline only: its lemmas do not depend on context), or None."""
        if self._forms is None and self.by_form and _lemmatizer(self.nlp) is not None \
                and isinstance(self.nlp.tokenizer, NormalisingTokenizer):
            from .form_parsing import FormParser

            self._forms = FormParser(self.nlp, self.rules, words=self.words)
        return self._forms

    def parse(self, texts, questions=None, batch_size: int = 512) -> ParsedAnswers:
        import numpy as np

        texts = ["" if t is None else str(t) for t in texts]
        questions = [q or None for q in questions] if questions is not None else [None] * len(texts)
        themes = self.codebook.themes
        ids = self.codebook.theme_ids
        for q in set(questions) - set(self._by_question):
            self._by_question[q] = [t.applies_to(q) for t in themes]
            self._allowed[q] = frozenset(t.id for t in themes if t.applies_to(q))
        n, k = len(texts), len(themes)
        applies = np.array([self._by_question[q] for q in questions], dtype=bool).reshape(n, k)
        empty = np.array([not t.strip() for t in texts], dtype=bool)
        forms = self.forms
        if forms is None:
            return self._parse_docs(texts, questions, applies, empty, batch_size)
        records = forms.parse(texts, batch_size=batch_size)
        column = {t: j for j, t in enumerate(ids)}
        allowed = self._allowed
        rows, columns, evidence = [], [], []
        for i, (record, q) in enumerate(zip(records, questions)):
            found = record.evidence
            if found:
                applicable = allowed[q]
                if not applicable.issuperset(found):
                    found = {t: words for t, words in found.items() if t in applicable}
                rows.extend([i] * len(found))
                columns.extend(column[t] for t in found)
            evidence.append(found)
        hits = np.zeros((n, k), dtype=bool)
        hits[rows, columns] = True
        return ParsedAnswers(texts=texts, questions=questions, evidence=evidence, applies=applies,
                             rule_hits=hits, empty=empty, records=records, forms=forms)

    def _parse_docs(self, texts, questions, applies, empty, batch_size: int) -> ParsedAnswers:
        import numpy as np

        from .model.features import feature_rows

        docs = list(analyse(self.nlp, texts, batch_size=batch_size))
        evidence = [self.rules.match(doc, q) if doc.text.strip() else {} for doc, q in zip(docs, questions)]
        ids = self.codebook.theme_ids
        hits = np.array([[t in e for t in ids] for e in evidence], dtype=bool).reshape(applies.shape)
        return ParsedAnswers(texts=texts, questions=questions, evidence=evidence, applies=applies,
                             rule_hits=hits, empty=empty, _rows=feature_rows(docs, evidence, questions))
