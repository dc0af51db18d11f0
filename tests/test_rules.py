"""Codebook rules on real Dutch answers: which themes match, with which evidence."""

from __future__ import annotations

import pytest

from kcc_text.codebook.definition import load_codebook, parse_codebook
from kcc_text.nlp.pipeline import load_pipeline
from kcc_text.rules import RuleMatcher


@pytest.fixture
def match(tiny_codebook):
    nlp = load_pipeline()
    matcher = RuleMatcher(load_codebook(tiny_codebook), nlp)

    def run(text, question=None):
        return matcher.match(nlp(text), question)

    return run


@pytest.mark.parametrize("text, themes", [
    ("Het salaris is veel te laag", {"salaris"}),           # single word
    ("Ik krijg een laag loon", {"salaris"}),
    ("Slecht betaald voor zwaar werk", {"salaris"}),         # phrase with alternatives
    ("Het werk wordt matig betaald", {"salaris"}),
    ("Veel stress", {"werkdruk"}),
    ("Er is te veel werk", {"werkdruk"}),                    # optional token present
    ("Ik heb veel werk", {"werkdruk"}),                      # optional token absent
    ("Fijne collega's", {"collegas"}),
    ("Fijne collega’s", {"collegas"}),                       # curly apostrophe
    ("De teamleider luistert", {"collegas"}),                # prefix
    ("Het teamwerk is goed", {"collegas"}),
    ("Klanten helpen", {"klanten_helpen"}),
    ("Klanten snel helpen", {"klanten_helpen"}),             # wildcard
    ("Het loon is goed en de stress is laag", {"salaris", "werkdruk"}),
    ("Geen opmerkingen", set()),
])
def test_themes_found(match, text, themes):
    assert set(match(text)) == themes


def test_wildcard_is_exactly_one_token(match):
    assert "klanten_helpen" not in match("Klanten heel erg snel helpen")


def test_prefix_needs_the_prefix(match):
    assert match("Mijn tea is koud") == {}


def test_negation_exclude(match):
    assert match("Het werk is leuk") == {"leuk_werk": ["leuk"]}
    assert "leuk_werk" not in match("Het werk is niet leuk")
    assert "leuk_werk" not in match("Nooit plezier in het werk")


def test_negation_stops_at_clause_boundary(match):
    assert "leuk_werk" in match("Het loon is niet hoog maar het werk is leuk")


def test_negation_require(match):
    assert match("Geen waardering van de leiding") == {"gebrek_aan_waardering": ["Geen waardering"]}
    assert "gebrek_aan_waardering" not in match("Veel waardering van de leiding")


def test_negation_allow_is_the_default(match):
    assert match("Het salaris is niet goed") == {"salaris": ["salaris"]}
    assert "salaris" in match("Geen goed salaris")


def test_pattern_negation_overrides_theme_negation(match):
    # The theme allows negation; only its "waardering" pattern requires it.
    assert "gebrek_aan_waardering" in match("Ik voel me ondergewaardeerd")


def test_question_restriction(match):
    text = "Klanten goed helpen, daar draait het om"
    assert "klanten_helpen" in match(text, "toegevoegde_waarde")
    assert "klanten_helpen" not in match(text, "aanbevelen")
    assert "klanten_helpen" in match(text, None)  # no question column: every theme applies


def test_evidence_is_the_matched_words_in_text_order(match):
    assert match("Stress door te veel werk en een laag loon") == {
        "werkdruk": ["Stress", "te veel werk"], "salaris": ["loon"]}


def test_evidence_lists_repeated_words_once(match):
    assert match("loon, loon en nog eens loon") == {"salaris": ["loon"]}


def test_raw_token_pattern():
    nlp = load_pipeline()
    cb = parse_codebook(
        "codebook: t\nversion: 1.0.0\nthemes:\n"
        "  - id: thuiswerken\n    label: Thuiswerken\n    patterns:\n"
        "      - tokens: [{LOWER: thuis}, {LEMMA: werken}]\n"
        "      - thuiswerk*\n")
    matcher = RuleMatcher(cb, nlp)
    assert matcher.match(nlp("Ik mag thuis werken")) == {"thuiswerken": ["thuis werken"]}
    assert matcher.match(nlp("Thuiswerken bevalt goed")) == {"thuiswerken": ["Thuiswerken"]}
    assert matcher.match(nlp("Werken op kantoor")) == {}


def test_codebook_without_patterns_matches_nothing():
    nlp = load_pipeline()
    cb = parse_codebook("codebook: t\nversion: 1.0.0\nthemes:\n  - id: salaris\n    label: Salaris\n")
    assert RuleMatcher(cb, nlp).match(nlp("Het salaris is laag")) == {}


def test_prefix_alternatives_match_words_and_prefixes(tmp_path):
    from kcc_text.codebook.definition import parse_codebook
    from kcc_text.nlp.pipeline import load_pipeline
    from kcc_text.rules import RuleMatcher

    cb = parse_codebook("codebook: t\nversion: 1.0.0\nthemes:\n  - id: salaris\n    label: Salaris\n"
                        "    patterns: ['loon|salari*']\n")
    nlp = load_pipeline()
    matcher = RuleMatcher(cb, nlp)
    assert matcher.match(nlp("de salariëring is slecht")) == {"salaris": ["salariëring"]}
    assert matcher.match(nlp("mijn loon is te laag")) == {"salaris": ["loon"]}
    assert matcher.match(nlp("een loonstrook")) == {}


def test_raw_patterns_with_not_in_and_punctuation_match_like_spacy():
    from kcc_text.codebook.definition import parse_codebook
    from kcc_text.nlp.pipeline import load_pipeline
    from kcc_text.rules import RuleMatcher

    cb = parse_codebook(
        "codebook: t\nversion: 1.0.0\nthemes:\n"
        "  - id: voldoening\n    label: Voldoening\n    patterns:\n"
        "      - {tokens: [{LOWER: krijg}, {LOWER: {NOT_IN: [geen, weinig]}, OP: '?'}, {LOWER: waardering}]}\n"
        "  - id: leuk_werk\n    label: Leuk\n    patterns:\n"
        "      - {tokens: [{LOWER: leuk}, {IS_PUNCT: true}]}\n")
    nlp = load_pipeline()
    matcher = RuleMatcher(cb, nlp)
    assert matcher.match(nlp("ik krijg veel waardering")) == {"voldoening": ["krijg veel waardering"]}
    assert matcher.match(nlp("ik krijg geen waardering")) == {}
    assert matcher.match(nlp("Leuk! echt")) == {"leuk_werk": ["Leuk!"]}
    assert matcher.match(nlp("leuk werk")) == {}
