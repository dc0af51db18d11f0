"""simplemma's Dutch dictionary from a trie cached on disk: the same lemmas, and a safe fallback."""

from __future__ import annotations

import simplemma

from kcc_text.cache import CACHE_ENV
from kcc_text.nlp import lemma_data
from kcc_text.nlp.pipeline import load_pipeline

WORDS = ["werkt", "klanten", "geholpen", "salarissen", "collega's", "ingewerkt", "opgelost", "leuke",
         "contactcentrum", "zzp-er", "beter", "gesprekken", "waardering", "werkdruk", "xyzzy"]


def test_the_cached_trie_gives_simplemmas_lemmas(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    lemmatize = lemma_data.dutch_lemmatize()
    assert [lemmatize(w, lang="nl") for w in WORDS] == [simplemma.lemmatize(w, lang="nl") for w in WORDS]
    [folder] = tmp_path.iterdir()
    assert folder.name == f"simplemma-{simplemma.__version__}"
    assert [p.name for p in folder.iterdir()] == ["nl.dic"]  # no scratch folder left behind
    built = (folder / "nl.dic").stat().st_mtime_ns
    lemma_data.dutch_lemmatize()
    assert (folder / "nl.dic").stat().st_mtime_ns == built  # read again, not rebuilt


def test_an_unwritable_cache_falls_back_to_simplemmas_own_dictionary(tmp_path, monkeypatch):
    blocker = tmp_path / "een-bestand"
    blocker.write_text("geen map", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    assert lemma_data.dutch_lemmatize() is simplemma.lemmatize


def test_a_damaged_trie_file_is_not_trusted(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    folder = tmp_path / f"simplemma-{simplemma.__version__}"
    folder.mkdir()
    (folder / "nl.dic").write_bytes(b"kapot")
    lemmatize = lemma_data.dutch_lemmatize()
    assert lemmatize("klanten", lang="nl") == simplemma.lemmatize("klanten", lang="nl")


def test_the_pipeline_lemmatises_with_it(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    nlp = load_pipeline()
    assert [t.lemma_ for t in nlp("De klanten werden geholpen")] == ["de", "klant", "worden", "helpen"]
