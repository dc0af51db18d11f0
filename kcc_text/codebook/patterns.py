"""The codebook pattern language, parsed and compiled to spaCy Matcher token patterns.

A pattern string is a sequence of token specs separated by spaces:
`word` (same lemma as `word`, or the same lower-case form), `a|b` (alternatives),
`word?` (optional), `*` (any one token), `*?` (an optional token), `pre*` (lemma
starting with `pre`, at least three letters; also as an alternative: `loon|salari*`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import CodebookError

MIN_PREFIX = 3
_WORD = re.compile(r"^[\w'’.,\-&/+%]+$", re.UNICODE)


@dataclass(frozen=True)
class TokenSpec:
    kind: str  # "words" or "any"
    values: tuple[str, ...] = ()  # whole words
    optional: bool = False
    prefixes: tuple[str, ...] = ()  # lemma prefixes (written `pre*`)


def parse_pattern_string(text: str, where: str = "", path=None, line=None) -> list[TokenSpec]:
    """Parse a pattern string; a malformed one raises CodebookError showing the pattern."""

    def bad(reason: str) -> CodebookError:
        prefix = f"{where}: " if where else ""
        return CodebookError(f"{prefix}invalid pattern '{text}': {reason}", path, line)

    parts = text.split()
    if not parts:
        raise bad("it is empty")
    specs = []
    for part in parts:
        optional = part.endswith("?")
        body = part[:-1] if optional else part
        if body == "*":
            specs.append(TokenSpec("any", optional=optional))
            continue
        if not body:
            raise bad("'?' must follow a word or '*'")
        words, prefixes = [], []
        for alternative in body.split("|"):
            if not alternative:
                raise bad(f"empty alternative in '{body}'")
            if alternative.endswith("*"):
                stem = alternative[:-1].lower()
                if len(stem) < MIN_PREFIX or not _WORD.match(stem):
                    raise bad(f"a prefix needs at least {MIN_PREFIX} letters before '*' (got '{alternative}')")
                prefixes.append(stem)
            elif not _WORD.match(alternative):
                raise bad(f"'{alternative}' is not a word (use * for any token, ? for optional)")
            else:
                words.append(alternative.lower())
        specs.append(TokenSpec("words", tuple(words), optional, tuple(prefixes)))
    if all(s.optional for s in specs):
        raise bad("every token is optional, so it would match nothing")
    if all(s.kind == "any" for s in specs):
        raise bad("it has only wildcards, so it would match every answer")
    return specs


def validate_token_pattern(tokens, where: str, path, line) -> None:
    """Check a raw spaCy token pattern with spaCy's own validator, naming the theme on failure."""
    if not isinstance(tokens, list) or not tokens or not all(isinstance(t, dict) for t in tokens):
        raise CodebookError(f"{where}: invalid pattern: expected token pattern (a list of mappings) "
                            f"but got: {tokens!r}", path, line)
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    matcher = Matcher(Vocab(), validate=True)
    try:
        matcher.add("check", [tokens])
    except (ValueError, KeyError, TypeError, re.error) as error:  # re.error: a REGEX value that is no regex
        first = str(error).strip().splitlines()
        reason = next((l for l in first if l.strip() and not l.startswith("[")), first[0] if first else "")
        raise CodebookError(f"{where}: invalid pattern: expected token pattern ... but got: {tokens!r} "
                            f"({reason.strip()[:160]})", path, line) from None
