"""The bundled codebook and corpus: loadable, consistent, and calibrated to the published figures."""

import warnings
from pathlib import Path

import pytest

from kcc_text.codebook.definition import load_codebook
from kcc_text.io.answers import read_corpus
from kcc_text.io.labels import label_sets, read_labels
from kcc_text.analysis.shift import shift_from_labels

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {
    "toegevoegde_waarde": ["mensen_helpen", "contact_met_klanten", "problemen_oplossen",
                           "communicatieve_vaardigheden", "visitekaartje", "voldoening",
                           "persoonlijke_ontwikkeling", "maatschappelijke_waarde", "collegas_team",
                           "flexibiliteit"],
    "aanbevelen": ["leuk_werk", "salaris", "werkdruk", "gebrek_aan_waardering", "management",
                   "weinig_autonomie", "focus_op_targets", "lastige_klanten", "opleiding_begeleiding",
                   "afstand_tot_opdrachtgever", "imago", "onzekerheid", "thuiswerken", "mensen_helpen"],
}


@pytest.fixture(scope="module")
def bundled():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # loading must not warn
        codebook = load_codebook(ROOT / "codebooks" / "kcc.yaml")
        corpus = read_corpus(ROOT / "corpus" / "kcc-2020.csv")
        gold = label_sets(read_labels(ROOT / "corpus" / "kcc-2020.labels.csv", codebook.theme_ids))
    return codebook, corpus, gold


def test_codebook_is_version_1_with_the_required_themes_for_their_questions(bundled):
    codebook, _, _ = bundled
    assert codebook.ref == "kcc@1.0.0"
    for question, themes in REQUIRED.items():
        applicable = {t.id for t in codebook.themes_for(question)}
        assert set(themes) <= applicable, question
    for theme in codebook.themes:
        assert theme.description and theme.include and theme.exclude
        assert 2 <= len(theme.examples) <= 4, theme.id
    history = load_codebook(ROOT / "codebooks" / "history" / "kcc-1.0.0.yaml")
    assert history.hash == codebook.hash


def test_counts_match_the_reports(bundled):
    _, corpus, _ = bundled
    sizes = corpus.groupby(["wave", "question"]).size()
    assert sizes[("najaar-2020", "toegevoegde_waarde")] == 222
    assert sizes[("najaar-2020", "aanbevelen")] == 238
    autumn = corpus[(corpus["wave"] == "najaar-2020") & (corpus["question"] == "aanbevelen")]
    assert autumn["beveelt_aan"].value_counts().to_dict() == {"nee": 147, "ja": 91}
    spring = corpus[corpus["wave"] == "voorjaar-2020"]
    assert 200 < len(spring) < 240  # "ruim 200 reacties op open vragen"
    assert list(dict.fromkeys(corpus["wave"])) == ["voorjaar-2020", "najaar-2020"]


def test_every_answer_is_coded_unique_and_respondents_share_metadata(bundled):
    _, corpus, gold = bundled
    assert set(gold) == set(corpus["id"])
    texts = corpus["text"].str.strip().str.lower()
    assert not texts[texts != ""].duplicated().any()
    per_person = corpus.groupby("respondent_id")[["leeftijd", "geslacht", "opleiding"]].nunique()
    assert (per_person == 1).all().all()


def test_corona_and_home_working_only_in_autumn(bundled):
    _, corpus, gold = bundled
    spring = corpus.loc[corpus["wave"] == "voorjaar-2020", "id"]
    assert not any(gold[i] & {"corona", "thuiswerken"} for i in spring)
    assert not corpus.loc[corpus["wave"] == "voorjaar-2020", "text"].str.contains("corona", case=False).any()


def test_gold_shift_shows_the_published_direction(bundled):
    codebook, corpus, gold = bundled
    result = shift_from_labels(corpus, gold, codebook.themes, by="wave", question="toegevoegde_waarde")
    table = result.table.set_index("theme")
    assert table["pct_a"].idxmax() == "contact_met_klanten"  # spring: contact met klanten first
    assert table["pct_b"].idxmax() == "mensen_helpen"  # autumn: mensen helpen first
    assert table.loc["contact_met_klanten", "diff_pp"] < 0 < table.loc["mensen_helpen", "diff_pp"]
    assert table.loc["maatschappelijke_waarde", "diff_pp"] > 0


def test_reasons_not_to_recommend_in_the_published_order(bundled):
    _, corpus, gold = bundled
    order = ["salaris", "werkdruk", "gebrek_aan_waardering", "management", "weinig_autonomie",
             "lastige_klanten", "opleiding_begeleiding"]
    against = corpus[(corpus["question"] == "aanbevelen") & (corpus["beveelt_aan"] == "nee")]
    for wave, answers in against.groupby("wave"):
        counts = [sum(theme in gold[i] for i in answers["id"]) for theme in order]
        assert counts == sorted(counts, reverse=True), (wave, counts)


def test_second_coding_covers_a_quarter_independently(bundled):
    codebook, corpus, _ = bundled
    second = label_sets(read_labels(ROOT / "corpus" / "kcc-2020.labels.coder2.csv", codebook.theme_ids))
    assert set(second) <= set(corpus["id"])
    assert abs(len(second) / len(corpus) - 0.25) < 0.01
