"""Scores against gold codes, the review trade-off, and cross-validation of rules, model and hybrid."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score, f1_score

from conftest import TINY_CODEBOOK_YAML
from training_data import label_sets_of, write_training_files

from kcc_text.model.training import prepare
from kcc_text.codebook.definition import parse_codebook
from kcc_text.io.answers import read_corpus
from kcc_text.analysis.evaluation import cross_validate, score_matrix, tradeoff

GOLD = np.array([[1, 0], [1, 1], [0, 0], [0, 1], [1, 0]], dtype=bool)
PRED = np.array([[1, 0], [0, 1], [0, 1], [0, 1], [1, 0]], dtype=bool)


def test_per_theme_scores_match_scikit_learn():
    scores = score_matrix(GOLD, PRED, ["a", "b"])
    a = scores.theme("a")
    assert (a.precision, a.recall, a.support, a.predicted) == (1.0, 2 / 3, 3, 2)
    assert a.f1 == pytest.approx(0.8)
    assert a.kappa == pytest.approx(cohen_kappa_score(GOLD[:, 0], PRED[:, 0]))
    assert scores.micro.f1 == pytest.approx(f1_score(GOLD, PRED, average="micro"))
    assert scores.macro.f1 == pytest.approx(f1_score(GOLD, PRED, average="macro"))
    assert scores.exact_accuracy == pytest.approx(3 / 5)


def test_theme_nobody_coded_has_no_kappa_and_no_macro_weight():
    gold = np.array([[1, 0], [0, 0]], dtype=bool)
    scores = score_matrix(gold, gold, ["a", "b"])
    assert math.isnan(scores.theme("b").kappa)
    assert scores.macro.f1 == 1.0


def test_tradeoff_counts_share_and_accuracy_of_automatic_answers():
    exact = np.array([True, True, False, True])
    rows = tradeoff({0.8: np.array([True, True, False, False]), 0.9: np.array([False] * 4)}, exact)
    assert (rows[0].n_auto, rows[0].share_auto, rows[0].accuracy) == (2, 0.5, 1.0)
    assert rows[1].n_auto == 0 and math.isnan(rows[1].accuracy)


@pytest.fixture(scope="module")
def cv(tmp_path_factory):
    codebook = parse_codebook(TINY_CODEBOOK_YAML)
    corpus, _ = write_training_files(tmp_path_factory.mktemp("cv"))
    data = prepare(read_corpus(corpus), label_sets_of(), codebook)
    return cross_validate(data, codebook, folds=3)


def test_cross_validation_scores_rules_model_and_hybrid(cv):
    assert cv.mode == "cross-validation" and cv.folds == 3
    assert cv.grouped_by == "respondent_id"
    assert cv.n_answers == 40
    for run in (cv.rules, cv.model, cv.hybrid):
        assert [t.theme for t in run.themes][:2] == ["salaris", "werkdruk"]
        assert 0.0 <= run.micro.f1 <= 1.0
    # The patterns do not know "beloning" or "hectisch": the trained model must find more.
    assert cv.hybrid.theme("salaris").recall > cv.rules.theme("salaris").recall
    # Reported, never dropped silently (a fold of 40 answers may lack examples of more themes).
    assert "klanten_helpen" in cv.too_few_examples


def test_cross_validation_tradeoff_rows(cv):
    assert [r.target for r in cv.tradeoff] == [0.7, 0.8, 0.9, 0.95]
    shares = [r.share_auto for r in cv.tradeoff]
    assert shares == sorted(shares, reverse=True)  # a stricter target codes fewer answers automatically
