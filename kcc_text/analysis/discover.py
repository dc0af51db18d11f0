"""What the codebook misses: frequent lemma n-grams in answers that got no theme or need review.

Answers are lemmatised with the project's Dutch pipeline; punctuation splits an answer
into stretches, and within a stretch n-grams are formed over the words left after
dropping spaCy's Dutch stop words. Negators (geen, niet, ...) are kept although they
are stop words: "geen waardering" and "waardering" are different themes. Counts are
document frequencies (how many answers contain the n-gram). An n-gram is dropped when
a longer one containing it occurs in exactly as many answers, since it says nothing more.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError, UsageError

EXAMPLE_CHARS = 100
ID_SEPARATOR = ";"  # example ids in the discover output


@dataclass(frozen=True)
class Phrase:
    ngram: str  # lemmas joined by spaces
    form: str  # the most frequent wording in the answers
    n: int  # number of words
    count: int  # answers containing it
    share: float  # count / answers searched
    examples: tuple[tuple[str, str], ...]  # (id, shortened text)


@dataclass(frozen=True)
class DiscoverResult:
    phrases: tuple[Phrase, ...]
    n_answers: int  # answers searched
    n_no_theme: int
    n_review: int  # needs review but with some theme
    codebook_ref: str | None


def _stop_words() -> frozenset[str]:
    from spacy.lang.nl.stop_words import STOP_WORDS

    from ..nlp.pipeline import negation_data

    return frozenset(STOP_WORDS) - negation_data().negators


def _breaks() -> frozenset[str]:
    from ..nlp.pipeline import negation_data

    # Conjunctions end a phrase: "slecht en de roosters" holds no phrase "slecht rooster".
    return negation_data().boundaries | {"en", "of"}


def _stretches(doc, stop_words: frozenset[str]) -> list[list]:
    """Runs of content tokens between punctuation and conjunctions, stop words removed."""
    breaks = _breaks()
    stretches: list[list] = [[]]
    for token in doc:
        if (token.is_punct or token.is_space or token.lower_ in breaks
                or not any(ch.isalpha() for ch in token.text)):
            if stretches[-1]:
                stretches.append([])
            continue
        if token.lower_ in stop_words or token.lemma_.lower() in stop_words:
            continue
        stretches[-1].append(token)
    return [s for s in stretches if s]


# Answer words and intensifiers that spaCy's stop list lacks: alone they say nothing about a
# theme ("nee", "echt"), though they stay inside longer phrases ("echt geen waardering").
FILLERS = frozenset({"ja", "nee", "jawel", "zeker", "echt", "gewoon", "heel", "erg", "best", "wel", "nou",
                     "zo", "super", "enorm", "helemaal", "eigenlijk", "vooral"})


def _says_nothing(lemmas: list[str]) -> bool:
    from ..nlp.pipeline import negation_data

    return all(lemma in FILLERS or lemma in negation_data().negators for lemma in lemmas)


def ngrams_of(doc, max_n: int, stop_words: frozenset[str]) -> dict[str, str]:
    """Lemma n-gram -> its wording in this answer (first occurrence)."""
    found: dict[str, str] = {}
    for stretch in _stretches(doc, stop_words):
        for n in range(1, max_n + 1):
            for i in range(len(stretch) - n + 1):
                tokens = stretch[i:i + n]
                lemmas = [t.lemma_.lower() for t in tokens]
                if _says_nothing(lemmas):
                    continue
                key = " ".join(lemmas)
                if key not in found:
                    found[key] = doc.text[tokens[0].idx:tokens[-1].idx + len(tokens[-1].text)].lower()
    return found


def _shorten(text: str, limit: int = EXAMPLE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return (text[:limit].rsplit(" ", 1)[0] or text[:limit]) + " …"


def _covered_by_codebook(wordings: dict[str, str], codebook, nlp) -> set[str]:
    """The n-grams whose wording a codebook pattern already matches."""
    if codebook is None or not codebook.has_patterns:
        return set()
    from ..rules import RuleMatcher

    matcher = RuleMatcher(codebook, nlp)
    keys = list(wordings)
    return {k for k, doc in zip(keys, nlp.pipe(wordings[k] for k in keys)) if matcher.match(doc)}


def discover(coded, *, top: int = 20, min_count: int = 2, max_n: int = 3, questions: Iterable[str] | None = None,
             waves: Iterable[str] | None = None, codebook=None, spacy_model: str | None = None,
             path: str | Path | None = None) -> DiscoverResult:
    """Frequent phrases in the answers of a coded frame that got no theme or need review."""
    from ..nlp.pipeline import load_pipeline

    if top < 1:
        raise UsageError(f"must be at least 1 (got {top})", setting="top")
    if min_count < 1:
        raise UsageError(f"must be at least 1 (got {min_count})", setting="min_count")
    if not 1 <= max_n <= 5:
        raise UsageError(f"must be between 1 and 5 (got {max_n})", setting="ngram")
    for column in ("id", "text", "themes"):
        if column not in coded.columns:
            raise InputFileError(f"missing column '{column}' (is this a coded output of `kcc-text code`?)", path)
    frame = coded
    for column, wanted in (("question", questions), ("wave", waves)):
        wanted = list(wanted or ())
        if not wanted:
            continue
        if column not in frame.columns:
            raise UsageError(f"given, but the coded output has no '{column}' column", path, setting=column)
        present = list(dict.fromkeys(v for v in coded[column] if v))
        unknown = [w for w in wanted if w not in present]
        if unknown:
            raise UsageError(f"{column} '{unknown[0]}' does not occur (the {column}s are: {', '.join(present)})",
                             path)
        frame = frame[frame[column].isin(wanted)]
    no_theme = frame["themes"].astype(str).str.strip() == ""
    review = (frame["needs_review"].astype(str).str.strip() == "1") if "needs_review" in frame.columns else False
    has_text = frame["text"].astype(str).str.strip() != ""
    selected = frame[(no_theme | review) & has_text]

    nlp = load_pipeline(spacy_model)
    stop_words = _stop_words()
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[tuple[str, str]]] = defaultdict(list)
    ids = selected["id"].astype(str).tolist()
    texts = selected["text"].astype(str).tolist()
    for answer_id, text, doc in zip(ids, texts, nlp.pipe(texts, batch_size=256)):
        for key, form in ngrams_of(doc, max_n, stop_words).items():
            counts[key] += 1
            forms[key][form] += 1
            if len(examples[key]) < 2:
                examples[key].append((answer_id, _shorten(text)))

    frequent = {k: c for k, c in counts.items() if c >= min_count}
    redundant = {
        part for key, count in frequent.items() if " " in key
        for part in _parts(key) if frequent.get(part) == count
    }
    covered = _covered_by_codebook({k: forms[k].most_common(1)[0][0] for k in frequent if k not in redundant},
                                   codebook, nlp)
    kept = [k for k in frequent if k not in redundant and k not in covered]
    kept.sort(key=lambda k: (-frequent[k], -k.count(" "), k))
    n = len(selected)
    phrases = tuple(
        Phrase(ngram=k, form=forms[k].most_common(1)[0][0], n=k.count(" ") + 1, count=frequent[k],
               share=frequent[k] / n, examples=tuple(examples[k]))
        for k in kept[:top]
    )
    n_no_theme = int((no_theme & has_text).sum())
    return DiscoverResult(phrases, n, n_no_theme, n - n_no_theme, codebook.ref if codebook is not None else None)


def _parts(key: str) -> set[str]:
    """Every shorter n-gram inside an n-gram."""
    words = key.split()
    return {" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)
            if j - i < len(words)}


def result_frame(result: DiscoverResult):
    """The phrases as a table for CSV: one row per phrase, examples joined by ' | '."""
    import pandas as pd

    return pd.DataFrame(
        [{"ngram": p.ngram, "form": p.form, "n": p.n, "answers": p.count, "share": round(p.share, 4),
          "example_ids": ID_SEPARATOR.join(i for i, _ in p.examples), "examples": " | ".join(t for _, t in p.examples)}
         for p in result.phrases],
        columns=["ngram", "form", "n", "answers", "share", "example_ids", "examples"],
    )
