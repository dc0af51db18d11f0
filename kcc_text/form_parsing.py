"""Parsing by word form, with a cache of parsed texts: the fast path of `parsing.AnswerParser`.

Survey answers repeat ("geen", "nvt", "goed salaris"), and a text parses the same wherever it
occurs: its question only decides which of its pattern hits count, and that filter is applied
afterwards. So each distinct text is tokenised and matched once per run, and what the model
needs of it is kept as word numbers (see `model.form_features`).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .cache import Bounded
from .form_matcher import FormMatcher
from .nlp.forms import FormTable, Numbering, tokenise
from .nlp.pipeline import normalise

# scikit-learn's char_wb analyser splits on whitespace after collapsing runs of it.
_WHITE_SPACES = re.compile(r"\s\s+")
CACHE_TEXTS = 10_000  # parsed texts kept (the latest), so memory does not grow with the corpus


class ParsedText(NamedTuple):
    """What coding needs of one text, whatever its question."""

    evidence: dict  # theme id -> matched words, all themes (filtered by question later)
    lemma_words: object  # (n,) int32: the words of the lemma text, numbered in `FormTable.words`
    surface_words: object  # (n,) int32: the whitespace-separated words of the lower-case text, numbered in `surface`


class FormParser:
    """Tokenises each distinct text once, numbers its forms and matches the codebook's patterns."""

    def __init__(self, nlp, rules, *, words: bool = True):
        self.nlp = nlp
        # Word numbers feed a model's features only: coding by the patterns alone skips them
        # (its records then hold None, and no model may read them).
        self.words = words
        self.forms = FormTable(nlp)
        self.matcher = FormMatcher(rules, self.forms, nlp)
        self.surface = Numbering()
        self.featurizers: dict[int, tuple] = {}  # id(feature transformer) -> (transformer, its fast form)
        self._cache: dict[str, ParsedText] = Bounded(CACHE_TEXTS)

    def parse(self, texts: list[str], batch_size: int = 512) -> list[ParsedText]:
        """One ParsedText per text (texts as given; the same object for the same text)."""
        cache = self._cache
        parsed: dict[str, ParsedText] = {}
        for t in dict.fromkeys(texts):  # the cached ones first, before new ones push them out
            record = cache.recall(t)
            if record is not None:
                parsed[t] = record
        new = [t for t in dict.fromkeys(texts) if t not in parsed]
        if new:
            normalised = [normalise(t) for t in new]
            tokenizer = self.nlp.tokenizer.tokenizer
            batch = self.forms.batch(*tokenise(tokenizer, normalised))
            # spaCy's Matcher, for raw patterns matched nowhere else, needs the docs themselves.
            docs = (tokenizer.pipe(normalised, batch_size=batch_size) if self.matcher.needs_docs
                    else [None] * len(new))
            starts = batch.starts.tolist()
            forms, idx, negated = batch.forms.tolist(), batch.idx.tolist(), batch.negated.tolist()
            if self.words:
                words, surface = self._lemma_words(batch), self._surface_words(normalised)
            else:
                words = surface = [None] * len(new)
            evidence_of = self.matcher.evidence
            for i, (text, norm, doc) in enumerate(zip(new, normalised, docs)):
                a, b = starts[i], starts[i + 1]
                evidence = evidence_of(forms[a:b], negated[a:b], idx[a:b], norm, doc) if norm.strip() else {}
                record = ParsedText(evidence, words[i], surface[i])
                parsed[text] = cache[text] = record
        return [parsed[t] for t in texts]

    def _surface_words(self, texts: list[str]) -> list:
        """Per text: its whitespace-separated lower-case words (as scikit-learn's char_wb splits), numbered."""
        import numpy as np

        known, add = self.surface.ids, self.surface.id
        split = [_WHITE_SPACES.sub(" ", t.lower()).split() for t in texts]
        flat = [w for words in split for w in words]
        found = list(map(known.get, flat))  # most words were seen before: one C-level pass
        if None in found:
            found = [add(w) if n is None else n for w, n in zip(flat, found)]
        numbers = np.array(found, dtype=np.int32)
        ends = np.cumsum([len(words) for words in split]).tolist()
        return [numbers[a:b] for a, b in zip([0] + ends[:-1], ends)]

    def _lemma_words(self, batch) -> list:
        """Per doc: lemma-text words (a word, then `neg_<word>` when negated; no punctuation)."""
        import numpy as np

        table = self.forms
        skip = np.array(table.skip, dtype=bool)[batch.forms]
        word = np.array(table.lemma_word, dtype=np.int32)[batch.forms]
        negated_word = np.array(table.neg_word, dtype=np.int32)[batch.forms]
        keep = ~skip
        doubled = keep & batch.negated
        per_token = keep.astype(np.int64) + doubled
        ends = np.cumsum(per_token)
        out = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.int32)
        first = ends - per_token  # where each token's words begin
        out[first[keep]] = word[keep]
        out[first[doubled] + 1] = negated_word[doubled]
        bounds = np.concatenate([[0], ends])[batch.starts]
        return [out[bounds[i]:bounds[i + 1]].copy() for i in range(len(batch.starts) - 1)]

    def lemma_text(self, record: ParsedText) -> str:
        words = self.forms.words.values
        return " ".join(words[i] for i in record.lemma_words.tolist())
