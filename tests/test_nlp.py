"""The Dutch pipeline: lemmas, normalised apostrophes with original offsets, negation marks."""

from __future__ import annotations

import pytest

from kcc_text.errors import UsageError
from kcc_text.nlp.pipeline import lemma_of, load_pipeline, mark_negation, normalise, pipeline_id


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline()


def lemmas(nlp, text):
    return {t.text.lower(): t.lemma_ for t in nlp(text)}


@pytest.mark.parametrize("sentence, word, lemma", [
    ("Ik word altijd goed geholpen", "geholpen", "helpen"),
    ("De klanten zijn vaak boos", "klanten", "klant"),
    ("Mijn probleem is snel opgelost", "opgelost", "oplossen"),
])
def test_lemmas(nlp, sentence, word, lemma):
    assert lemmas(nlp, sentence)[word] == lemma


def test_lemma_of_a_single_word_matches_the_pipeline(nlp):
    assert lemma_of(nlp, "Klanten") == "klant"
    assert lemma_of(nlp, "collega’s") == "collega"


def test_curly_apostrophe_is_normalised_and_offsets_stay(nlp):
    text = "Fijne collega’s en een goede sfeer"
    doc = nlp(text)
    token = next(t for t in doc if t.text.startswith("collega"))
    assert token.lemma_ == "collega"
    assert len(doc.text) == len(text)
    assert text[token.idx:token.idx + len(token)] == "collega’s"
    assert [text[t.idx:t.idx + len(t)].lower() for t in doc][-1] == "sfeer"


def test_normalise_keeps_length():
    text = "„Top” zegt ze, ‘prima’ – collega’s"
    assert len(normalise(text)) == len(text)
    assert normalise("collega’s") == "collega's"


def test_negation_marks_scope_after_negator(nlp):
    doc = nlp("Het werk is niet leuk")
    marks = dict(zip([t.text for t in doc], doc._.kcc_negated))
    assert marks == {"Het": False, "werk": False, "is": False, "niet": True, "leuk": True}


def test_clause_boundary_stops_negation(nlp):
    doc = nlp("Het werk is niet leuk maar goed betaald")
    marks = dict(zip([t.text for t in doc], doc._.kcc_negated))
    assert marks["leuk"] is True
    assert marks["maar"] is False and marks["goed"] is False and marks["betaald"] is False


def test_negation_scope_is_limited():
    marks = mark_negation("geen waardering van de leiding voor ons harde werk".split())
    assert marks[:5] == [True] * 5
    assert marks[-1] is False


def test_punctuation_ends_negation(nlp):
    doc = nlp("Nooit stress, fijne collega's")
    marks = dict(zip([t.text for t in doc], doc._.kcc_negated))
    assert marks["stress"] is True and marks["fijne"] is False


def test_pipeline_id_names_simplemma_and_negation(nlp):
    ident = pipeline_id(nlp)
    assert "simplemma" in ident and "negation" in ident and "blank-nl" in ident


def test_missing_spacy_model_is_a_usage_error():
    with pytest.raises(UsageError, match="nl_core_news_xx_niet_geinstalleerd"):
        load_pipeline("nl_core_news_xx_niet_geinstalleerd")
