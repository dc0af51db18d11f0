"""A codebook's patterns matched over word forms (`nlp.forms`): the same evidence as `rules.RuleMatcher`.

`RuleMatcher` verifies candidate patterns token by token with string tests. Here every test a
pattern token makes (lemma or lower-case form in a set, a prefix, IS_PUNCT ...) is numbered
once, and each word form gets, the first time it is seen, the set of tests it passes and the
patterns that may start at it (in `RuleMatcher`'s own candidate order). An optional token
doubles a pattern into the variants with and without it, so verifying a candidate is a few
set lookups. Raw spaCy patterns that `RuleMatcher` hands to spaCy's Matcher with
`greedy="LONGEST"` are matched the way spaCy does when they only use LOWER, LIKE_NUM, IS_PUNCT,
empty tokens and `OP: "?"`; other raw patterns still go to spaCy's Matcher.
"""

from __future__ import annotations

from operator import itemgetter

from .cache import Bounded
from .nlp.forms import FormTable, Numbering
from .rules import RuleMatcher, _compile_raw, _outermost, counts_under_negation, distinct_words

MEMO_WINDOWS = 20_000  # matches kept by the forms they read (the latest), so memory stays flat
# spaCy token predicates matched here: the lexeme attribute each reads.
_SPACY_FLAGS = ("LIKE_NUM", "IS_PUNCT")


def _spacy_spec(token: dict) -> tuple | None:
    """A raw pattern token with spaCy's semantics (LOWER is compared as written), or None."""
    token = dict(token)
    op = token.pop("OP", None)
    if op not in (None, "?") or len(token) > 1:
        return None
    if not token:
        return ("any",), op == "?"
    (attr, value), = token.items()
    if attr in _SPACY_FLAGS and isinstance(value, bool):
        return (attr, value), op == "?"
    if attr != "LOWER":
        return None
    if isinstance(value, str):
        return ("in", frozenset([value])), op == "?"
    if isinstance(value, dict) and len(value) == 1 and set(value) <= {"IN", "NOT_IN"}:
        (how, values), = value.items()
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return ("in" if how == "IN" else "not_in", frozenset(values)), op == "?"
    return None


def _variants(specs, spec_id) -> list[tuple[int, ...]]:
    """Every way through the specs (with and without each optional one), as test numbers."""
    variants = [()]
    for spec, optional in specs:
        number = spec_id(spec)
        variants = [v + (number,) for v in variants] + (variants if optional else [])
    return [v for v in variants if v]


def _depth(node) -> int:
    """Tokens a trie reads: its root's token and the longest path below."""
    return 1 + max((_depth(child) for child in node[1].values()), default=0)


class FormMatcher:
    """Evidence per answer from its word forms; equal to `RuleMatcher.match(doc)` without a question."""

    def __init__(self, rules: RuleMatcher, table: FormTable, nlp):
        self.rules = rules
        self.table = table
        self._order = {t: i for i, t in enumerate(rules._applies)}
        self._keys = Numbering()  # (theme, negation mode) per key number
        self._specs = Numbering()  # the token tests, numbered
        self._entries: dict[int, tuple] = {}  # id(RuleMatcher entry) -> (key number, variants longest first)
        self._starts: list = []  # per form: (entries that may start at it, spaCy-style rules) or None
        self._passes: list[frozenset] = []  # per form: the test numbers it passes
        self._memo: dict[tuple, tuple] = Bounded(MEMO_WINDOWS)  # forms from a start on -> the matches there
        for entry in {id(e): e for found in (*rules._by_word.values(), *rules._by_prefix.values())
                      for e in found}.values():
            self._entry(entry)
        self._greedy: list[tuple[int, list]] = []  # (key number, variants) per spaCy-style rule
        self._fallback = None  # spaCy Matcher for raw patterns not matched here
        self._fallback_rules: dict[int, int] = {}
        self._fallback_needs_lemma = False
        for theme in rules.codebook.themes:
            for index, pattern in enumerate(theme.patterns):
                if pattern.tokens is None or _compile_raw(list(pattern.tokens)) is not None:
                    continue
                specs = [_spacy_spec(t) for t in pattern.tokens]
                key = self._key(theme.id, pattern.negation)
                if all(s is not None for s in specs):
                    self._greedy.append((key, _variants(specs, self._spec_id)))
                else:
                    self._add_fallback(nlp, f"{theme.id}#{index}", key, pattern)
        self._index_specs()

    # --- numbering --------------------------------------------------------------------------

    def _key(self, theme: str, mode: str) -> int:
        return self._keys.id((theme, mode))

    def _spec_id(self, spec: tuple) -> int:
        return self._specs.id(spec)

    def _entry(self, entry) -> tuple:
        found = self._entries.get(id(entry))
        if found is None:
            # RuleMatcher's spec: (lemma forms, lower forms, prefixes, any, optional, excluded, punct)
            specs = [(("ours",) + spec[:4] + spec[5:], spec[4]) for spec in entry.specs]
            variants = sorted(set(_variants(specs, self._spec_id)), key=len, reverse=True)
            found = self._entries[id(entry)] = (self._key(entry.theme, entry.negation), tuple(variants))
        return found

    def _index_specs(self) -> None:
        self._always, self._by_lemma, self._by_lower, self._by_prefix = set(), {}, {}, {}
        self._excluded, self._punct, self._other = [], [], []
        for number, spec in enumerate(self._specs.values):
            if spec[0] != "ours":
                self._other.append((number, spec))
                continue
            _, lemma_forms, lower_forms, prefixes, is_any, excluded, punct = spec
            if is_any:
                self._always.add(number)
                continue
            for form in lemma_forms:
                self._by_lemma.setdefault(form, set()).add(number)
            for form in lower_forms:
                self._by_lower.setdefault(form, set()).add(number)
            for prefix in prefixes:
                self._by_prefix.setdefault(prefix, set()).add(number)
            if excluded is not None:
                self._excluded.append((number, excluded))
            if punct:
                self._punct.append(number)
        self._prefix_lengths = sorted({len(p) for p in self._by_prefix})

    def _add_fallback(self, nlp, name: str, key: int, pattern) -> None:
        from spacy.matcher import Matcher

        if self._fallback is None:
            self._fallback = Matcher(nlp.vocab)
        tokens = [dict(t) for t in pattern.tokens]
        self._fallback.add(name, [tokens], greedy="LONGEST")
        self._fallback_rules[nlp.vocab.strings[name]] = key
        self._fallback_needs_lemma |= any("LEMMA" in t for t in tokens)

    @property
    def needs_docs(self) -> bool:
        """Whether some raw pattern is left to spaCy's Matcher (which matches spaCy docs)."""
        return self._fallback is not None

    # --- per form ---------------------------------------------------------------------------

    def _passes_of(self, form: int) -> frozenset:
        """The tests a form passes: `rules._token_ok` for our specs, spaCy's for the others."""
        table = self.table
        lemma, lower = table.lemma[form], table.lower[form]
        passed = set(self._always)
        passed.update(self._by_lemma.get(lemma, ()))
        passed.update(self._by_lower.get(lower, ()))
        for length in self._prefix_lengths:
            for word in (lemma, lower):
                if len(word) >= length:
                    passed.update(self._by_prefix.get(word[:length], ()))
        passed.update(number for number, excluded in self._excluded if lower not in excluded)
        if self._punct and not any(ch.isalnum() for ch in lower):
            passed.update(self._punct)
        for number, spec in self._other:
            kind = spec[0]
            if (kind == "any" or (kind == "in" and lower in spec[1]) or (kind == "not_in" and lower not in spec[1])
                    or (kind == "LIKE_NUM" and table.like_num[form] == spec[1])
                    or (kind == "IS_PUNCT" and table.is_punct[form] == spec[1])):
                passed.add(number)
        return frozenset(passed)

    def _grow(self) -> None:
        table = self.table
        for form in range(len(self._starts), len(table)):
            passes = self._passes_of(form)
            self._passes.append(passes)
            # The variants that can start here as a trie on the tests of the following tokens;
            # each ends in (candidate number in RuleMatcher's order, key).
            root: tuple = ([], {})
            for number, (entry, _fixed) in enumerate(self.rules._candidates(table.lemma[form], table.lower[form])):
                key, variants = self._entry(entry)
                for variant in variants:
                    if variant[0] in passes:
                        node = root
                        for test in variant[1:]:
                            node = node[1].setdefault(test, ([], {}))
                        node[0].append((number, key))
            greedy = tuple(i for i, (_key, variants) in enumerate(self._greedy)
                           if any(v[0] in passes for v in variants))
            alone = tuple(key for _number, key in root[0])
            self._starts.append((alone, root if root[1] else None, frozenset(root[1]), _depth(root), greedy)
                                if root[0] or root[1] or greedy else None)

    # --- matching ---------------------------------------------------------------------------

    def evidence(self, forms: list[int], negated: list[bool], idx: list[int], text: str, doc=None):
        """Theme id -> matched words in text order (themes in codebook order), for every theme.

        `forms`, `negated`, `idx`: the doc's tokens (see `FormTable.batch`); `text` its text;
        `doc` the spaCy doc, needed only for raw patterns spaCy's Matcher runs.
        """
        if len(self._starts) < len(self.table):
            self._grow()
        spans, greedy = self._spans(forms)
        if greedy:
            spans.extend(self._greedy_spans(forms, greedy))
        if self._fallback is not None and doc is not None:
            if self._fallback_needs_lemma:
                for token, form in zip(doc, forms):
                    token.lemma_ = self.table.lemma[form]
            spans.extend((self._fallback_rules[m], s, e) for m, s, e in self._fallback(doc))
        if not spans:
            return {}
        return self._words(spans, negated, idx, forms, text)

    def _spans(self, forms: list[int]):
        """RuleMatcher's spans (key, start, end), and where spaCy-style rules may start."""
        starts, passes, memo = self._starts, self._passes, self._memo
        n = len(forms)
        found: dict[tuple[int, int], int] = {}
        greedy = []
        for pos, form in enumerate(forms):
            here = starts[form]
            if here is None:
                continue
            alone, root, first_tests, depth, greedy_rules = here
            if greedy_rules:
                greedy.append((pos, greedy_rules))
            if root is None or pos + 1 == n or first_tests.isdisjoint(passes[forms[pos + 1]]):
                for key in alone:  # this token alone: the shortest match there is
                    if (key, pos) not in found:
                        found[(key, pos)] = pos + 1
                continue
            window = tuple(forms[pos:pos + depth])
            matches = memo.recall(window)
            if matches is None:
                matches = memo[window] = self._match_window(root, window)
            for key, length in matches:
                if found.get((key, pos), 0) < pos + length:
                    found[(key, pos)] = pos + length
        spans = [(key, start, end) for (key, start), end in found.items()]
        if len(spans) > 1:
            # As RuleMatcher: a match inside a longer one of the same theme and mode is the same mention.
            spans = _outermost(spans, group=itemgetter(0))
        return spans, greedy

    def _match_window(self, root, window: tuple) -> tuple:
        """(key, length) of the matches starting at window[0]: per key its longest match, keys in
        the order of their first candidate that matches (RuleMatcher's order)."""
        passes = self._passes
        n = len(window)
        best: dict[int, list] = {}  # key -> [first candidate that matched, longest length]
        stack = [(root, 1)]
        while stack:
            (ends, children), end = stack.pop()
            for number, key in ends:
                seen = best.get(key)
                if seen is None:
                    best[key] = [number, end]
                else:
                    seen[0] = min(seen[0], number)
                    seen[1] = max(seen[1], end)
            if children and end < n:
                passed = passes[window[end]]
                stack.extend((child, end + 1) for test, child in children.items() if test in passed)
        return tuple((key, length) for key, (_number, length) in sorted(best.items(), key=lambda item: item[1][0]))

    def _greedy_spans(self, forms: list[int], starts: list) -> list:
        """spaCy Matcher with greedy="LONGEST": all matches, then the longest that do not overlap."""
        passes = self._passes
        n = len(forms)
        found: dict[int, list] = {}
        for pos, rules in starts:
            for rule in rules:
                for variant in self._greedy[rule][1]:
                    end = pos + len(variant)
                    if end <= n and all(number in passes[forms[pos + k]] for k, number in enumerate(variant)):
                        found.setdefault(rule, []).append((pos, end))
        spans = []
        for rule in sorted(found):
            taken = [False] * n
            for start, end in sorted(set(found[rule]), key=lambda m: (m[1] - m[0], -m[0]), reverse=True):
                if not any(taken[start:end]):
                    spans.append((self._greedy[rule][0], start, end))
                    taken[start:end] = [True] * (end - start)
        return spans

    def _words(self, spans, negated, idx, forms, text) -> dict[str, list[str]]:
        """RuleMatcher.hits and .match on the spans: negation rules, shown words, distinct words."""
        length = self.table.length
        hits = []
        for key, start, end in spans:
            theme, mode = self._keys.values[key]
            counted = counts_under_negation(mode, negated, start, end)
            if counted is not None:
                hits.append((start, end, theme, text[idx[counted[1]]:idx[end - 1] + length[forms[end - 1]]]))
        return distinct_words(hits, self._order)
