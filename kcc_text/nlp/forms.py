"""Word forms analysed once each: a batch of answers becomes arrays of form numbers.

With the embedded pipeline a token's lower-case form, lemma, punctuation and number flags
and negation role depend on its spelling alone (spaCy keeps them on the lexeme; simplemma
looks the word up without context). Survey answers repeat a few thousand spellings, so each
is analysed the first time it is seen and an answer is then a sequence of form numbers.
Negation marks, the one context-dependent step, are computed for a whole batch with numpy;
they equal `pipeline.mark_negation` token for token.
"""

from __future__ import annotations

from dataclasses import dataclass

from .pipeline import _lemmatizer, negation_data


class Numbering:
    """Values (words, tests ...) numbered in order of first sight."""

    def __init__(self):
        self.ids: dict = {}
        self.values: list = []

    def id(self, value) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found

    def __len__(self) -> int:
        return len(self.values)


@dataclass
class FormBatch:
    """Docs of one batch as flat arrays: form numbers, character offsets and negation marks."""

    forms: object  # (tokens,) int: form number per token, docs one after another
    idx: object  # (tokens,) int: character offset of each token in its doc's text
    negated: object  # (tokens,) bool
    starts: object  # (docs + 1,) int: where each doc's tokens begin


# Between texts tokenised as one string: spaCy splits on whitespace and tokenises each piece
# on its own, so a lone control character between spaces is one token of its own.
_SEPARATOR = " \x00 "
_GROUP = 32  # texts tokenised as one string


def tokenise(tokenizer, texts: list[str]):
    """spaCy's tokens of each text as flat arrays: orth hashes, offsets in its text, tokens per text.

    The texts are tokenised as one string with a separator between them, which gives each
    text the tokens it gets on its own (one Doc instead of one per text is most of the speed
    of this path). A text ending in whitespace (the separator would add a space token),
    holding the separator's character, or empty, is tokenised on its own.
    """
    import numpy as np
    from spacy.attrs import IDX, ORTH

    together = [i for i, t in enumerate(texts) if t and not t[-1].isspace() and "\x00" not in t]
    if len(together) == len(texts):
        return _tokenise_together(tokenizer, texts)
    pieces: list = [None] * len(texts)
    if together:
        joined = [texts[i] for i in together]
        lengths = np.fromiter((len(t) for t in joined), dtype=np.int64, count=len(joined))
        begins = np.zeros(len(joined), dtype=np.int64)
        np.cumsum(lengths[:-1] + len(_SEPARATOR), out=begins[1:])
        array = tokenizer(_SEPARATOR.join(joined)).to_array([ORTH, IDX])
        offsets = array[:, 1].astype(np.int64)
        first = np.searchsorted(offsets, begins).tolist()
        last = np.searchsorted(offsets, begins + lengths).tolist()
        for i, a, b, begin in zip(together, first, last, begins.tolist()):
            pieces[i] = (array[a:b, 0], offsets[a:b] - begin)
    for i, piece in enumerate(pieces):
        if piece is None:
            array = tokenizer(texts[i]).to_array([ORTH, IDX]).reshape(-1, 2)
            pieces[i] = (array[:, 0], array[:, 1].astype(np.int64))
    counts = np.fromiter((len(o) for o, _ in pieces), dtype=np.int64, count=len(pieces))
    if not counts.sum():
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), counts
    return np.concatenate([o for o, _ in pieces]), np.concatenate([x for _, x in pieces]), counts


def _tokenise_together(tokenizer, texts: list[str]):
    """`tokenise` when every text can go into a joined string: no step per text.

    The texts are joined in groups (spaCy takes longer per token on a very long string); the
    offsets are made those of all texts joined, so one search finds each token's text.
    """
    import numpy as np
    from spacy.attrs import IDX, ORTH

    if not texts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    begins = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(lengths[:-1] + len(_SEPARATOR), out=begins[1:])
    arrays = [tokenizer(_SEPARATOR.join(texts[i:i + _GROUP])).to_array([ORTH, IDX]).reshape(-1, 2)
              for i in range(0, len(texts), _GROUP)]
    counts = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
    array = np.concatenate(arrays)
    offsets = array[:, 1].astype(np.int64) + np.repeat(begins[::_GROUP], counts)
    text = np.searchsorted(begins, offsets, side="right") - 1
    keep = offsets < begins[text] + lengths[text]  # the separators' tokens lie between the texts
    text = text[keep]
    return array[keep, 0], offsets[keep] - begins[text], np.bincount(text, minlength=len(texts))


class FormTable:
    """The forms of a run with what the Dutch pipeline says about each (embedded pipeline only)."""

    def __init__(self, nlp):
        lemmatizer = _lemmatizer(nlp)
        if lemmatizer is None:
            raise ValueError("form analysis needs the embedded pipeline (its lemmas do not depend on context)")
        self._vocab = nlp.vocab
        self._lemma = lemmatizer.lemma
        self._negation = negation_data()
        self._ids: dict[int, int] = {}  # spaCy orth hash -> form number
        self.lower: list[str] = []
        self.lemma: list[str] = []
        self.length: list[int] = []  # characters of the spelling
        self.skip: list[bool] = []  # punctuation or space: not a word of the lemma text
        self.like_num: list[bool] = []
        self.is_punct: list[bool] = []  # spaCy's IS_PUNCT (for raw token patterns)
        self.lemma_word: list[int] = []  # its word in the lemma text (`<num>` for numbers), in `words`
        self.neg_word: list[int] = []  # the same word negated (`neg_<lemma>`)
        self.words = Numbering()
        self._negator = bytearray()
        self._boundary = bytearray()

    def __len__(self) -> int:
        return len(self.lower)

    def _add(self, orth: int) -> int:
        lex = self._vocab[orth]
        lower = lex.lower_
        lemma = self._lemma(lower)
        word = "<num>" if lex.like_num else lemma
        self.lower.append(lower)
        self.lemma.append(lemma)
        self.length.append(len(lex.orth_))
        self.skip.append(bool(lex.is_punct or lex.is_space))
        self.like_num.append(bool(lex.like_num))
        self.is_punct.append(bool(lex.is_punct))
        self.lemma_word.append(self.words.id(word))
        self.neg_word.append(self.words.id("neg_" + word))
        self._negator.append(lower in self._negation.negators)
        self._boundary.append(lower in self._negation.boundaries)
        form = self._ids[orth] = len(self.lower) - 1
        return form

    def batch(self, orth, idx, lengths) -> FormBatch:
        """Form numbers and negation marks of tokenised texts (see `tokenise`)."""
        import numpy as np

        starts = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        if not len(orth):
            return FormBatch(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool),
                             starts)
        hashes, inverse = np.unique(orth, return_inverse=True)
        ids = self._ids
        numbers = np.fromiter((ids.get(h) if h in ids else self._add(h) for h in hashes.tolist()),
                              dtype=np.int64, count=len(hashes))
        forms = numbers[inverse.reshape(-1)]
        return FormBatch(forms, idx, self._marks(forms, starts), starts)

    def _marks(self, forms, starts):
        """`mark_negation` for every doc at once: a negator and up to `scope` tokens after it in its clause."""
        import numpy as np

        negator = np.frombuffer(bytes(self._negator), dtype=bool)[forms]
        boundary = np.frombuffer(bytes(self._boundary), dtype=bool)[forms]
        negator &= ~boundary  # a boundary word ends the scope even when it could negate
        pos = np.arange(len(forms))
        reset = np.where(boundary, pos, -1)
        doc_starts = starts[:-1][starts[:-1] < starts[1:]]
        reset[doc_starts] = np.maximum(reset[doc_starts], doc_starts - 1)  # nothing carries over between docs
        last_reset = np.maximum.accumulate(reset)
        last_negator = np.maximum.accumulate(np.where(negator, pos, -1))
        return ~boundary & (last_negator > last_reset) & (pos - last_negator <= self._negation.scope)
