"""The pattern language: parsing, errors that show the pattern, compiling to spaCy token patterns."""

from __future__ import annotations

import pytest

from kcc_text.errors import CodebookError
from kcc_text.codebook.patterns import TokenSpec, parse_pattern_string, validate_token_pattern


def test_parse_words_alternatives_optional_wildcard_prefix():
    assert parse_pattern_string("te? veel|teveel * werk team*") == [
        TokenSpec("words", ("te",), optional=True),
        TokenSpec("words", ("veel", "teveel")),
        TokenSpec("any"),
        TokenSpec("words", ("werk",)),
        TokenSpec("words", (), prefixes=("team",)),
    ]


def test_prefixes_and_words_mix_as_alternatives():
    assert parse_pattern_string("loon|salari*") == [TokenSpec("words", ("loon",), prefixes=("salari",))]


def test_words_are_lower_cased_and_may_hold_apostrophes():
    assert parse_pattern_string("Collega's") == [TokenSpec("words", ("collega's",))]


@pytest.mark.parametrize("text, reason", [
    ("ab*", "at least 3 letters"),
    ("?", "'?' must follow"),
    ("", "empty"),
    ("loon|", "empty alternative"),
    ("*", "only wildcards"),
    ("* *?", "only wildcards"),
    ("loon? stress?", "every token is optional"),
    ("lo(on", "not a word"),
])
def test_invalid_patterns_show_the_pattern(text, reason):
    with pytest.raises(CodebookError) as info:
        parse_pattern_string(text, "theme 'salaris'", "cb.yaml", 7)
    message = str(info.value)
    assert message.startswith("cb.yaml:7: theme 'salaris': invalid pattern")
    assert f"'{text}'" in message and reason in message


def test_valid_token_pattern_passes():
    validate_token_pattern([{"LOWER": "niet"}, {"LEMMA": {"IN": ["leuk", "fijn"]}}], "theme 'leuk_werk'", "cb.yaml", 3)


@pytest.mark.parametrize("tokens", [[], "loon", [{"LEMMA": "loon", "KLEUR": "rood"}], [{"OP": "nooit"}]])
def test_invalid_token_pattern(tokens):
    with pytest.raises(CodebookError) as info:
        validate_token_pattern(tokens, "theme 'salaris'", "cb.yaml", 9)
    assert str(info.value).startswith("cb.yaml:9: theme 'salaris': invalid pattern")
