"""The trained classifier and the hybrid decision: what it finds, where each theme came from, what goes to review."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import TINY_CODEBOOK_YAML
from training_data import label_sets_of, write_training_files

from kcc_text.model.features import doc_lemma_text as lemma_text
from kcc_text.model.selective import promise, review_cutoff, selective_curve
from kcc_text.model.training import train_model
from kcc_text.codebook.definition import parse_codebook
from kcc_text.coding import Coder, code_frame
from kcc_text.io.answers import read_corpus
from kcc_text.errors import ModelError, UsageError
from kcc_text.nlp.pipeline import load_pipeline


@pytest.fixture(scope="module")
def codebook():
    return parse_codebook(TINY_CODEBOOK_YAML)


@pytest.fixture(scope="module")
def model(codebook, tmp_path_factory):
    corpus, _ = write_training_files(tmp_path_factory.mktemp("train"))
    return train_model(read_corpus(corpus), label_sets_of(), codebook)


def code(codebook, model, texts, question="aanbevelen", target=None):
    frame = pd.DataFrame({"id": [f"n{i}" for i in range(len(texts))], "text": texts,
                          "question": [question] * len(texts)})
    return code_frame(frame, Coder(codebook, model=model, target_precision=target))


def test_model_finds_wordings_the_patterns_miss(codebook, model):
    coded = code(codebook, model, ["De beloning is echt slecht", "Het is zo hectisch en druk"])
    assert coded["themes"].tolist() == ["salaris", "werkdruk"]
    assert coded["src_salaris"].tolist() == ["model", ""]
    assert coded["p_salaris"].iloc[0] > 0.5 > coded["p_salaris"].iloc[1]


def test_sources_say_rules_model_or_both(codebook, model):
    coded = code(codebook, model, ["Het salaris is te laag"])
    assert coded["src_salaris"].iloc[0] == "both"
    assert coded["evidence"].iloc[0] == "salaris: salaris"
    # klanten_helpen has too few examples to learn: only its patterns find it.
    helped = code(codebook, model, ["Klanten helpen"], question="toegevoegde_waarde")
    assert helped["themes"].iloc[0] == "klanten_helpen"
    assert helped["src_klanten_helpen"].iloc[0] == "rules"


def test_themes_with_too_few_examples_are_reported_not_dropped(model):
    assert model.too_few_examples == ["klanten_helpen"]
    assert model.card["too_few_examples"] == ["klanten_helpen"]
    assert model.card["label_counts"]["klanten_helpen"] == 2
    assert "klanten_helpen" in model.themes  # still a theme of the model, with p = 0


def test_coded_output_has_model_columns(codebook, model):
    coded = code(codebook, model, ["Leuk werk", ""])
    assert set(coded["model"]) == {model.model_id}
    assert {"p_salaris", "src_salaris", "th_salaris"} <= set(coded.columns)
    assert coded.loc[1, "themes"] == "" and coded.loc[1, "needs_review"] == 0


def test_target_precision_sends_uncertain_answers_to_review(codebook, model):
    texts = ["Het salaris is te laag", "Leuk werk met fijne collega's", "Tja, het is wat het is"]
    lenient = code(codebook, model, texts, target=0.5)["needs_review"].tolist()
    strict = code(codebook, model, texts, target=0.999)["needs_review"].tolist()
    assert strict == [1, 1, 1]  # nothing was ever measured to be right 99.9% of the time
    assert sum(lenient) < 3


def test_a_later_codebook_version_is_accepted_by_how_much_it_changed(codebook, model):
    relabelled = parse_codebook(TINY_CODEBOOK_YAML.replace("version: 1.0.0", "version: 1.0.1")
                                .replace("label: Werkdruk", "label: Werkdruk en stress"))
    coder = Coder(relabelled, model=model)
    assert "wording only" in coder.notes[0] and "coding as trained" in coder.notes[0]
    assert coder.code_texts(["Het salaris is te laag"])[0].themes == ("salaris",)
    more_patterns = parse_codebook(TINY_CODEBOOK_YAML.replace("version: 1.0.0", "version: 1.1.0")
                                   .replace("- stress", "- stress\n      - spanning"))
    assert "patterns added or removed" in Coder(more_patterns, model=model).notes[0]


def test_a_codebook_with_other_themes_is_refused_unless_allowed(codebook, model):
    start = TINY_CODEBOOK_YAML.index("  - id: collegas")
    fewer = parse_codebook(TINY_CODEBOOK_YAML[:start].replace("version: 1.0.0", "version: 2.0.0"))
    with pytest.raises(ModelError, match=r"kcc-mini@1\.0\.0.*kcc-mini@2\.0\.0.*themes added, removed"):
        Coder(fewer, model=model)
    coder = Coder(fewer, model=model, allow_codebook_change=True)
    assert "accuracy figures no longer describe" in coder.notes[0]
    code = coder.code_texts(["Het salaris is te laag", "Fijne collega's"])
    assert code[0].themes == ("salaris",) and "collegas" not in code[1].themes


def test_thresholds_and_calibration_per_learnt_theme(model):
    learnt = {"salaris", "werkdruk", "leuk_werk", "gebrek_aan_waardering", "collegas"}
    assert set(model.thresholds) == learnt
    assert all(0.0 < t < 1.0 for t in model.thresholds.values())
    assert set(model.platt) == learnt


def test_card_records_cross_validated_scores(model):
    cv = model.card["cross_validation"]
    assert cv["grouped_by"] == "respondent_id"
    assert 0.5 < cv["hybrid"]["micro_f1"] <= 1.0
    assert set(cv) >= {"folds", "hybrid", "model", "rules"}


def test_negated_words_are_marked_in_lemma_features():
    doc = load_pipeline()("Er is geen waardering")
    assert "neg_waardering" in lemma_text(doc).split()
    assert "waardering" in lemma_text(doc).split()


def test_training_without_any_coded_answer_is_refused(codebook):
    frame = pd.DataFrame({"id": ["x"], "text": ["Iets"]})
    with pytest.raises(UsageError, match="none of the answers"):
        train_model(frame, {"other": frozenset()}, codebook)


def test_selective_cutoff_needs_a_lower_bound_above_the_target():
    # 40 answers all right, then 10 with half wrong: the bound, not the raw share, sets the cut-off.
    confidence = np.linspace(1.0, 0.0, 50)
    exact = np.array([True] * 40 + [True, False] * 5)
    curve = selective_curve(confidence, exact)
    assert review_cutoff(curve, 0.9) == confidence[40]  # 41 of 41 right: lower bound 0.930
    assert review_cutoff(curve, 0.95) == float("inf")  # 41 right is not enough to show 0.95 (59 needed)
    assert review_cutoff(selective_curve(confidence[:3], exact[:3]), 0.8) == float("inf")  # too few to promise
    rows = {r["target"]: r for r in promise(curve)}
    assert rows[0.9]["share_auto"] == pytest.approx(41 / 50) and rows[0.9]["accuracy"] == 1.0
    assert rows[0.9]["accuracy_lower_bound"] >= 0.9 and rows[0.95]["share_auto"] == 0.0


def test_ties_in_confidence_go_together():
    curve = selective_curve(np.array([0.9, 0.9, 0.5]), np.array([True, False, True]))
    assert curve["n"].tolist() == [2.0, 3.0]
