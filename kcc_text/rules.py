"""Codebook patterns applied to parsed answers: which themes match, with which words as evidence.

Pattern strings are matched by an index on each pattern's first required token (a dict
lookup per token of the answer), then verified from there. spaCy's Matcher evaluates
set and regex predicates in Python for every token and every pattern, which with a few
hundred patterns made coding a hundred times slower; it still runs the codebook's raw
`tokens` patterns, which are few.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .codebook.definition import Codebook
from .nlp.pipeline import doc_lemmas, doc_lowers, lemma_of
from .codebook.patterns import TokenSpec, parse_pattern_string


@dataclass(frozen=True)
class RuleHit:
    theme: str
    start: int
    end: int
    text: str
    negated: bool


@dataclass(frozen=True)
class _Compiled:
    """One pattern: token specs (lemma forms, lower-case forms, prefixes, any, optional)."""

    theme: str
    negation: str
    # (lemma forms, lower forms, prefixes, any, optional, excluded lower forms or None, punct)
    specs: tuple[tuple, ...]

    @property
    def fixed(self) -> bool:
        return not any(spec[2] or spec[3] or spec[4] or spec[5] is not None or spec[6] for spec in self.specs)


def _compile(specs: list[TokenSpec], lemma) -> tuple:
    compiled = []
    for spec in specs:
        forms = frozenset(spec.values) | frozenset(lemma(w) for w in spec.values)
        compiled.append((forms, forms, tuple(spec.prefixes), spec.kind == "any", spec.optional, None, False))
    return _trim(compiled)


def _trim(compiled: list) -> tuple:
    # Wildcards at either end add nothing to what a pattern finds, only to the span shown.
    while compiled and compiled[0][3]:
        compiled.pop(0)
    while compiled and compiled[-1][3]:
        compiled.pop()
    return tuple(compiled)


_SIMPLE_ATTRS = {"LOWER": "lower", "LEMMA": "lemma", "ORTH": "lower", "TEXT": "lower"}


def _compile_raw(tokens: list[dict]) -> tuple | None:
    """A raw spaCy pattern in our own form when it only uses LOWER/LEMMA values, IN or NOT_IN
    lists, IS_PUNCT and OP "?"; None for anything else (REGEX, other attributes ...), which
    spaCy's Matcher then runs."""
    compiled = []
    for token in tokens:
        token = dict(token)
        optional = token.pop("OP", None)
        if optional not in (None, "?") or len(token) > 1:
            return None
        optional = optional == "?"
        if not token:
            compiled.append((frozenset(), frozenset(), (), True, optional, None, False))
            continue
        (attr, value), = token.items()
        if attr == "IS_PUNCT" and value is True:
            compiled.append((frozenset(), frozenset(), (), False, optional, None, True))
            continue
        if attr not in _SIMPLE_ATTRS:
            return None
        negative = isinstance(value, dict) and set(value) == {"NOT_IN"}
        if isinstance(value, str):
            values = [value]
        elif isinstance(value, dict) and set(value) in ({"IN"}, {"NOT_IN"}):
            values = next(iter(value.values()))
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                return None
        else:
            return None
        if attr in ("ORTH", "TEXT") and any(v != v.lower() for v in values):
            return None  # case-sensitive: leave it to spaCy
        if negative and attr == "LEMMA":
            return None
        forms = frozenset(v.lower() for v in values)
        if negative:
            compiled.append((frozenset(), frozenset(), (), False, optional, forms, False))
        elif attr == "LEMMA":
            compiled.append((forms, frozenset(), (), False, optional, None, False))
        else:
            compiled.append((frozenset(), forms, (), False, optional, None, False))
    compiled = _trim(compiled)
    first = next((spec for spec in compiled if not spec[4]), None)
    if first is None or not (first[0] or first[1] or first[2]):
        return None  # nothing to index a match on: leave it to spaCy
    return compiled


def _token_ok(spec, lemma: str, lower: str) -> bool:
    lemma_forms, lower_forms, prefixes, is_any, _optional, excluded, punct = spec
    if is_any or lemma in lemma_forms or lower in lower_forms:
        return True
    if excluded is not None:
        return lower not in excluded
    if punct:
        return not any(ch.isalnum() for ch in lower)
    return any(lemma.startswith(p) or lower.startswith(p) for p in prefixes)


def _longest_end(specs, k: int, pos: int, lemmas, lowers) -> int:
    """The furthest end position at which specs[k:] match from `pos`, or -1."""
    if k == len(specs):
        return pos
    spec = specs[k]
    best = -1
    if pos < len(lemmas) and _token_ok(spec, lemmas[pos], lowers[pos]):
        best = _longest_end(specs, k + 1, pos + 1, lemmas, lowers)
    if spec[4]:  # optional: also try without it
        best = max(best, _longest_end(specs, k + 1, pos, lemmas, lowers))
    return best


def _fixed_end(specs, pos: int, lemmas, lowers) -> int:
    end = pos + len(specs)
    if end > len(lemmas):
        return -1
    for offset, spec in enumerate(specs):
        if not _token_ok(spec, lemmas[pos + offset], lowers[pos + offset]):
            return -1
    return end


class RuleMatcher:
    """All patterns of a codebook; `hits` applies negation and question rules."""

    def __init__(self, codebook: Codebook, nlp):
        self.codebook = codebook
        self._applies = {t.id: t.questions for t in codebook.themes}
        self._by_word: dict[str, list[_Compiled]] = defaultdict(list)
        self._by_prefix: dict[str, list[_Compiled]] = defaultdict(list)
        self._prefix_lengths: set[int] = set()
        self._raw = None
        self._raw_rules: dict[int, tuple[str, str]] = {}
        self._raw_needs_lemma = False

        def lemma(word: str) -> str:
            return lemma_of(nlp, word)

        self._cache: dict[tuple[str, str], list] = {}
        for theme in codebook.themes:
            for index, pattern in enumerate(theme.patterns):
                if pattern.tokens is not None:
                    specs = _compile_raw(list(pattern.tokens))
                    if specs is None:
                        self._add_raw(nlp, f"{theme.id}#{index}", theme.id, pattern)
                        continue
                else:
                    specs = _compile(parse_pattern_string(pattern.text), lemma)
                if specs:
                    self._index(_Compiled(theme.id, pattern.negation, specs))

    def _index(self, rule: _Compiled) -> None:
        # Index on every spec a match may start with: leading optional specs may be absent.
        for start, spec in enumerate(rule.specs):
            entry = rule if start == 0 else _Compiled(rule.theme, rule.negation, rule.specs[start:])
            for form in spec[0]:
                self._by_word[("lemma", form)].append(entry)
            for form in spec[1]:
                self._by_word[("lower", form)].append(entry)
            for prefix in spec[2]:
                self._by_prefix[prefix].append(entry)
                self._prefix_lengths.add(len(prefix))
            if not spec[4]:
                break

    def _add_raw(self, nlp, key: str, theme_id: str, pattern) -> None:
        from spacy.matcher import Matcher

        if self._raw is None:
            self._raw = Matcher(nlp.vocab)
        tokens = [dict(t) for t in pattern.tokens]
        self._raw.add(key, [tokens], greedy="LONGEST")
        self._raw_rules[nlp.vocab.strings[key]] = (theme_id, pattern.negation)
        self._raw_needs_lemma |= any("LEMMA" in t for t in tokens)

    def _candidates(self, lemma: str, lower: str) -> list:
        """The rules that may start at a token; cached, because answers repeat their words."""
        key = (lemma, lower)
        cached = self._cache.get(key)
        if cached is None:
            found = {id(r): r for r in self._by_word.get(("lemma", lemma), [])}
            found.update((id(r), r) for r in self._by_word.get(("lower", lower), []))
            for length in self._prefix_lengths:
                for form in {lemma, lower}:
                    if len(form) >= length:
                        found.update((id(r), r) for r in self._by_prefix.get(form[:length], []))
            cached = [(r, r.fixed) for r in found.values()]
            if len(self._cache) < 200_000:  # bounded: memory must not grow with the corpus
                self._cache[key] = cached
        return cached

    def _spans(self, doc):
        """(theme, negation mode, start, end) for every pattern match, longest per start."""
        lemmas, lowers = doc_lemmas(doc), doc_lowers(doc)
        found = {}
        for pos in range(len(lemmas)):
            for rule, fixed in self._candidates(lemmas[pos], lowers[pos]):
                if fixed:
                    end = _fixed_end(rule.specs, pos, lemmas, lowers)
                else:
                    end = _longest_end(rule.specs, 0, pos, lemmas, lowers)
                if end > pos:
                    key = (rule.theme, rule.negation, pos)
                    found[key] = max(found.get(key, 0), end)
        spans = [(theme, mode, start, end) for (theme, mode, start), end in found.items()]
        # A match inside a longer one of the same theme ("veel werk" in "te veel werk") is the same mention.
        spans = _outermost(spans)
        if self._raw is not None:
            if self._raw_needs_lemma:
                for token, lemma in zip(doc, lemmas):
                    token.lemma_ = lemma
            for match_id, start, end in self._raw(doc):
                theme, mode = self._raw_rules[match_id]
                spans.append((theme, mode, start, end))
        return spans

    def hits(self, doc, question: str | None = None) -> list[RuleHit]:
        """Every pattern match that counts for its theme, after negation and question rules."""
        negated = doc._.kcc_negated or [False] * len(doc)
        found = []
        for theme_id, mode, start, end in self._spans(doc):
            questions = self._applies[theme_id]
            if question is not None and questions is not None and question not in questions:
                continue
            counted = counts_under_negation(mode, negated, start, end)
            if counted is not None:
                is_negated, shown = counted
                found.append(RuleHit(theme_id, start, end, doc[shown:end].text, is_negated))
        return found

    def match(self, doc, question: str | None = None) -> dict[str, list[str]]:
        """Theme id -> the distinct matched words, in text order (themes in codebook order)."""
        return distinct_words(((h.start, h.end, h.theme, h.text) for h in self.hits(doc, question)),
                              {t: i for i, t in enumerate(self._applies)})


def counts_under_negation(mode: str, negated, start: int, end: int) -> tuple[bool, int] | None:
    """(negated?, where the words shown start) of a match that counts under its negation mode, else None."""
    is_negated = any(negated[start:end])
    if (mode == "exclude" and is_negated) or (mode == "require" and not is_negated):
        return None
    shown = start
    if is_negated and mode == "require":
        # Show the negator too: "geen ... waardering" is the evidence, not "waardering".
        while shown > 0 and negated[shown - 1] and start - shown < 5:
            shown -= 1
    return is_negated, shown


def distinct_words(hits, order: dict) -> dict[str, list[str]]:
    """Theme id -> its distinct words (case aside) in text order, from (start, end, theme, words) hits;
    themes in `order` (theme id -> position)."""
    evidence: dict[str, list[str]] = {}
    for _start, _end, theme, text in sorted(hits, key=lambda h: (h[0], h[1])):
        words = evidence.setdefault(theme, [])
        if text.lower() not in (w.lower() for w in words):
            words.append(text)
    return dict(sorted(evidence.items(), key=lambda item: order[item[0]]))


def _outermost(spans: list[tuple], group=lambda span: span[:2]) -> list[tuple]:
    """The spans not inside another of the same group (theme and mode), in their order.

    A span's start and end are its last two items. A sweep over the spans sorted by start (at
    most one per start and group), so a very long answer with thousands of matches costs
    n log n, not n squared.
    """
    reach: dict = {}
    inner = set()
    for span in sorted(spans, key=lambda s: (s[-2], -s[-1])):
        key = group(span)
        if span[-1] <= reach.get(key, -1):
            inner.add(span)
        else:
            reach[key] = span[-1]
    return [span for span in spans if span not in inner]
