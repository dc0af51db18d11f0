"""The Dutch pipeline: spaCy's tokenizer, simplemma lemmas and negation marks, all offline.

`load_pipeline()` gives a blank spaCy `nl` pipeline with two components of ours:
`kcc_lemmatizer` (simplemma, 0.944 lemma accuracy on UD Dutch Alpino against 0.872
for spaCy's own lookup tables) and `kcc_negation`. Curly quotes and apostrophes are
normalised before tokenising, character for character, so offsets stay those of the
original text. When an `nl_core_news_*` model is installed, `load_pipeline(name)` uses
its tokenizer and lemmatizer instead and adds the same normaliser and negation marks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..errors import UsageError

NEGATION_VERSION = "1"

# Same-length replacements only: evidence offsets must still point into the original text.
_NORMALISE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u00b4": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00a0": " ", "\u2007": " ", "\u202f": " ",
})


def normalise(text: str) -> str:
    """Straighten curly quotes and apostrophes (collega’s -> collega's) and odd spaces."""
    return text.translate(_NORMALISE)


@dataclass(frozen=True)
class NegationData:
    negators: frozenset[str]
    boundaries: frozenset[str]
    scope: int


@lru_cache(maxsize=1)
def negation_data() -> NegationData:
    from ..language_data import read_sections

    sections = read_sections("nl_negation.txt")
    return NegationData(frozenset(sections["negators"]), frozenset(sections["boundaries"]),
                        int(sections["scope"][0]))


def mark_negation(lowers: list[str], data: NegationData | None = None) -> list[bool]:
    """For each token: is it a negator, or within `scope` tokens after one in the same clause?"""
    data = data or negation_data()
    marks = [False] * len(lowers)
    remaining = 0
    for i, word in enumerate(lowers):
        if word in data.boundaries:
            remaining = 0
            continue
        if word in data.negators:
            marks[i] = True
            remaining = data.scope
            continue
        if remaining:
            marks[i] = True
            remaining -= 1
    return marks


class NormalisingTokenizer:
    """Wraps a spaCy tokenizer so every text is normalised before it is split."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text):
        return self.tokenizer(normalise(text))

    def pipe(self, texts, batch_size=1000):
        return self.tokenizer.pipe((normalise(t) for t in texts), batch_size=batch_size)

    # spaCy serialises the tokenizer with the pipeline; we never save pipelines, but keep the API whole.
    def to_bytes(self, **kwargs):
        return self.tokenizer.to_bytes(**kwargs)

    def from_bytes(self, data, **kwargs):
        self.tokenizer.from_bytes(data, **kwargs)
        return self


class SimplemmaLemmatizer:
    """Sets token.lemma_ from simplemma's Dutch data, lower-cased, with a per-word cache."""

    def __init__(self):
        from .lemma_data import dutch_lemmatize

        self._lemmatize = dutch_lemmatize()
        self._cache: dict[str, str] = {}

    def lemma(self, lower: str) -> str:
        cached = self._cache.get(lower)
        if cached is None:
            if lower.isalpha() or "'" in lower or "-" in lower:
                # simplemma writes separable verbs as "op_lossen"; answers write "oplossen".
                cached = self._lemmatize(lower, lang="nl").lower().replace("_", "")
            else:
                cached = lower
            if len(self._cache) < 500_000:  # bounded: memory must not grow with the corpus
                self._cache[lower] = cached
        return cached

    def __call__(self, doc):
        lemmas = [self.lemma(token.lower_) for token in doc]
        doc._.kcc_lemmas = lemmas
        for token, lemma in zip(doc, lemmas):
            token.lemma_ = lemma
        return doc


class NegationMarker:
    """Stores per-token negation marks in doc._.kcc_negated."""

    def __call__(self, doc):
        lowers = [t.lower_ for t in doc]
        doc._.kcc_lowers = lowers
        if doc._.kcc_lemmas is None:
            doc._.kcc_lemmas = [t.lemma_.lower() for t in doc]
        doc._.kcc_negated = mark_negation(lowers)
        return doc


def _register() -> None:
    from spacy.language import Language
    from spacy.tokens import Doc

    for name in ("kcc_negated", "kcc_lemmas", "kcc_lowers"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if "kcc_lemmatizer" not in Language.factories:
        Language.factory("kcc_lemmatizer")(lambda nlp, name: SimplemmaLemmatizer())
        Language.factory("kcc_negation")(lambda nlp, name: NegationMarker())


@lru_cache(maxsize=4)
def load_pipeline(model: str | None = None):
    """The Dutch pipeline; `model` names an installed spaCy model (e.g. nl_core_news_md)."""
    import spacy

    _register()
    if model is None:
        nlp = spacy.blank("nl")
        nlp.add_pipe("kcc_lemmatizer")
    else:
        try:
            nlp = spacy.load(model, exclude=["ner", "parser", "senter"])
        except OSError:
            raise UsageError(f"spaCy model '{model}' is not installed; without a spaCy model the "
                             "embedded Dutch pipeline is used") from None
        if nlp.lang != "nl":
            raise UsageError(f"spaCy model '{model}' is for language '{nlp.lang}', not Dutch (nl)")
    nlp.tokenizer = NormalisingTokenizer(nlp.tokenizer)
    nlp.add_pipe("kcc_negation", last=True)
    nlp.meta["kcc_model"] = model or ""
    return nlp


def analyse(nlp, texts, batch_size: int = 1000):
    """Docs with lemmas, lower-case forms and negation marks as plain lists (`doc._.kcc_*`).

    This is the coding path: with the embedded pipeline it skips writing token.lemma_
    (a string-store update per token) and keeps what matching and features read as lists,
    which makes coding several times faster. With an installed spaCy model the model's
    own lemmatizer runs as usual.
    """
    lemmatizer = _lemmatizer(nlp)
    if lemmatizer is None:
        for doc in nlp.pipe(texts, batch_size=batch_size):
            doc._.kcc_lowers = [t.lower_ for t in doc]
            doc._.kcc_lemmas = [t.lemma_.lower() for t in doc]
            yield doc
        return
    data = negation_data()
    lemma = lemmatizer.lemma
    for doc in nlp.tokenizer.pipe(texts, batch_size=batch_size):
        lowers = [t.lower_ for t in doc]
        doc._.kcc_lowers = lowers
        doc._.kcc_lemmas = [lemma(w) for w in lowers]
        doc._.kcc_negated = mark_negation(lowers, data)
        yield doc


def doc_lemmas(doc) -> list[str]:
    """The lemmas of a doc from either path (`analyse` or calling the pipeline)."""
    lemmas = doc._.kcc_lemmas
    return lemmas if lemmas is not None else [t.lemma_.lower() for t in doc]


def doc_lowers(doc) -> list[str]:
    lowers = doc._.kcc_lowers
    return lowers if lowers is not None else [t.lower_ for t in doc]


def pipeline_id(nlp) -> str:
    """A short, stable name of the pipeline that produced an output, recorded in every output."""
    import spacy

    if nlp.meta.get("kcc_model"):
        base = f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"
    else:
        import simplemma

        base = f"spacy-{spacy.__version__}-blank-nl+simplemma-{_version(simplemma)}"
    return f"{base}+negation-{NEGATION_VERSION}"


def _version(module) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module.__name__)
    except PackageNotFoundError:
        return getattr(module, "__version__", "unknown")


def lemma_of(nlp, word: str) -> str:
    """The lemma the pipeline gives `word` on its own, as used to compile codebook patterns."""
    lemmatizer = _lemmatizer(nlp)
    word = normalise(word).lower()
    if lemmatizer is not None:
        return lemmatizer.lemma(word)
    doc = nlp(word)
    return doc[0].lemma_.lower() if len(doc) == 1 else word


def _lemmatizer(nlp):
    if "kcc_lemmatizer" in nlp.pipe_names:
        return nlp.get_pipe("kcc_lemmatizer")
    return None
