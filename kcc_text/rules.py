"""Codebook patterns applied to parsed answers: which themes match, with which words as evidence."""

from __future__ import annotations

from dataclasses import dataclass

from .codebook import Codebook
from .nlp import lemma_of
from .patterns import compile_pattern_string, parse_pattern_string


@dataclass(frozen=True)
class RuleHit:
    theme: str
    start: int
    end: int
    text: str
    negated: bool


class RuleMatcher:
    """All patterns of a codebook in one spaCy Matcher; `match` applies negation and question rules."""

    def __init__(self, codebook: Codebook, nlp):
        from spacy.matcher import Matcher

        self.codebook = codebook
        self.matcher = Matcher(nlp.vocab)
        self._rules: dict[int, tuple[str, str]] = {}  # match key -> (theme id, negation mode)

        def lemma(word: str) -> str:
            return lemma_of(nlp, word)

        for theme in codebook.themes:
            for index, pattern in enumerate(theme.patterns):
                if pattern.tokens is not None:
                    spacy_pattern = [dict(t) for t in pattern.tokens]
                else:
                    spacy_pattern = compile_pattern_string(parse_pattern_string(pattern.text), lemma)
                key = f"{theme.id}#{index}"
                # LONGEST: "te? veel werk" on "te veel werk" is one piece of evidence, not two.
                self.matcher.add(key, [spacy_pattern], greedy="LONGEST")
                self._rules[nlp.vocab.strings[key]] = (theme.id, pattern.negation)

    def hits(self, doc, question: str | None = None) -> list[RuleHit]:
        """Every pattern match that counts for its theme, after negation and question rules."""
        if not self._rules:
            return []
        negated = doc._.kcc_negated or [False] * len(doc)
        found = []
        for match_id, start, end in self.matcher(doc):
            theme_id, mode = self._rules[match_id]
            if question is not None and not self.codebook.theme(theme_id).applies_to(question):
                continue
            is_negated = any(negated[start:end])
            if (mode == "exclude" and is_negated) or (mode == "require" and not is_negated):
                continue
            shown = start
            if is_negated and mode == "require":
                # Show the negator too: "geen ... waardering" is the evidence, not "waardering".
                while shown > 0 and negated[shown - 1] and start - shown < 5:
                    shown -= 1
            found.append(RuleHit(theme_id, start, end, doc[shown:end].text, is_negated))
        return found

    def match(self, doc, question: str | None = None) -> dict[str, list[str]]:
        """Theme id -> the distinct matched words, in text order."""
        evidence: dict[str, list[str]] = {}
        for hit in sorted(self.hits(doc, question), key=lambda h: (h.start, h.end)):
            words = evidence.setdefault(hit.theme, [])
            if hit.text.lower() not in (w.lower() for w in words):
                words.append(hit.text)
        return evidence
