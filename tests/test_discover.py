"""Discovering what the codebook misses: lemma phrases in answers without a theme or needing review."""

from __future__ import annotations

import pandas as pd
import pytest

from kcc_text.codebook.definition import load_codebook
from kcc_text.analysis.discover import discover, result_frame
from kcc_text.errors import InputFileError, UsageError


@pytest.fixture
def coded():
    return pd.DataFrame({
        "id": ["r1", "r2", "r3", "r4", "r5", "r6", "r7"],
        "text": ["De roosters zijn slecht en de roosters veranderen steeds.",
                 "Slechte roosters, geen inspraak.",
                 "Geen inspraak in de roosters!",
                 "Het salaris is laag en de roosters zijn slecht",
                 "Te weinig parkeerplaatsen bij het kantoor",
                 "Parkeerplaatsen bij kantoor zijn altijd vol; veel stress",
                 ""],
        "question": ["aanbevelen"] * 5 + ["toegevoegde_waarde", "aanbevelen"],
        "themes": ["", "", "", "salaris", "", "werkdruk", ""],
        "needs_review": ["1", "1", "1", "0", "1", "1", "0"],
    })


def test_frequent_lemma_phrases_with_examples(coded):
    result = discover(coded)
    assert result.n_answers == 5  # r4 is coded and settled, r7 is empty
    assert result.n_no_theme == 4 and result.n_review == 1
    phrases = {p.ngram: p for p in result.phrases}
    assert phrases["rooster"].count == 3  # document frequency: r1 counts once
    assert phrases["rooster"].form == "roosters"
    assert phrases["rooster"].examples[0] == ("r1", "De roosters zijn slecht en de roosters veranderen steeds.")
    assert len(phrases["rooster"].examples) == 2
    assert phrases["parkeerplaats kantoor"].count == 2  # "bij" and "het" are stop words


def test_stop_words_go_but_negators_stay(coded):
    ngrams = {p.ngram for p in discover(coded).phrases}
    assert "geen inspraak" in ngrams  # "geen" is a spaCy stop word, but it carries the meaning
    assert not ngrams & {"de", "het", "zijn", "bij"}


def test_a_word_always_inside_a_longer_phrase_is_not_repeated(coded):
    ngrams = {p.ngram for p in discover(coded).phrases}
    assert "parkeerplaats kantoor" in ngrams
    assert "parkeerplaats" not in ngrams and "kantoor" not in ngrams
    assert "inspraak" not in ngrams  # always "geen inspraak"


def test_conjunctions_and_punctuation_end_a_phrase(coded):
    ngrams = {p.ngram for p in discover(coded, min_count=1, top=100).phrases}
    assert "slecht rooster" in ngrams  # "Slechte roosters," in r2
    assert "rooster slecht" in ngrams
    assert not any(p.startswith("slecht verander") for p in ngrams)  # "slecht en de roosters veranderen"


def test_options_top_min_count_ngram_and_question(coded):
    assert len(discover(coded, top=2).phrases) == 2
    assert all(p.count >= 3 for p in discover(coded, min_count=3).phrases)
    assert all(p.n == 1 for p in discover(coded, max_n=1).phrases)
    only = discover(coded, questions=["toegevoegde_waarde"], min_count=1)
    assert only.n_answers == 1
    with pytest.raises(UsageError, match="the questions are: aanbevelen, toegevoegde_waarde"):
        discover(coded, questions=["waarom"])
    with pytest.raises(UsageError, match="ngram must be between"):
        discover(coded, max_n=9)


def test_phrases_the_codebook_matches_are_left_out(coded, tiny_codebook):
    codebook = load_codebook(tiny_codebook)
    with_codebook = {p.form for p in discover(coded, codebook=codebook, min_count=1, top=100).phrases}
    without = {p.form for p in discover(coded, min_count=1, top=100).phrases}
    assert "stress" in without and "stress" not in with_codebook  # werkdruk's pattern
    assert "roosters" in with_codebook


def test_csv_frame_and_missing_columns(coded):
    frame = result_frame(discover(coded))
    assert list(frame.columns) == ["ngram", "form", "n", "answers", "share", "example_ids", "examples"]
    assert frame.loc[0, "ngram"] == "rooster"
    with pytest.raises(InputFileError, match="missing column 'themes'"):
        discover(coded.drop(columns=["themes"]), path="corpus.csv")


def test_answer_words_and_negators_alone_are_not_phrases():
    from kcc_text.analysis.discover import ngrams_of, _stop_words
    from kcc_text.nlp.pipeline import load_pipeline

    nlp = load_pipeline()
    grams = ngrams_of(nlp("Nee, echt niet. Geen inspraak"), 2, _stop_words())
    assert "nee" not in grams and "echt" not in grams and "niet" not in grams
    assert "geen inspraak" in grams
