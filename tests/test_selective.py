"""Selective coding: the review cut-off keeps its promise only where the out-of-fold evidence allows it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kcc_text.model.selective import (answer_confidence, auto_coded, clopper_pearson_lower, min_answers_for,
                                      promise, review_cutoff)


def test_clopper_pearson_matches_the_exact_binomial_bound():
    # 29 of 29 right: the one-sided 95% bound is 0.05 ** (1/29) = 0.9019.
    assert clopper_pearson_lower(29, 29) == pytest.approx(0.05 ** (1 / 29), abs=1e-9)
    assert clopper_pearson_lower(0, 10) == 0.0
    assert min_answers_for(0.9) == 29 and min_answers_for(0.95) == 59


def test_cutoff_takes_the_confident_right_answers_and_stops_before_the_errors():
    # 60 confident answers all right, then 40 less confident ones half wrong.
    conf = np.r_[np.linspace(-0.01, -0.1, 60), np.linspace(-1.0, -3.0, 40)]
    right = np.r_[np.ones(60, bool), np.tile([True, False], 20)]
    cut = review_cutoff(conf, right, 0.9)
    auto = conf >= cut
    assert auto[:60].all() and auto.sum() < 70
    assert right[auto].mean() >= 0.9


def test_too_few_answers_promise_nothing():
    conf = np.linspace(-0.01, -0.2, 10)
    assert review_cutoff(conf, np.ones(10, bool), 0.9) == math.inf  # 10 of 10 right: bound 0.74
    row = promise(conf, np.ones(10, bool), targets=(0.9,))[0]
    assert row["n_auto"] == 0 and row["too_few"]


def test_answers_of_equal_confidence_are_never_split():
    conf = np.r_[np.full(40, -0.05), np.full(40, -0.5)]
    right = np.r_[np.ones(40, bool), np.r_[np.ones(35, bool), np.zeros(5, bool)]]
    cut = review_cutoff(conf, right, 0.9)
    assert (conf >= cut).sum() in (40, 80)


def test_disagreeing_views_go_to_a_person_and_empty_answers_never_do():
    conf = np.array([-0.01, -0.01, -5.0])
    auto = auto_coded(conf, -0.1, agree=[True, False, True], empty=[False, False, True])
    assert auto.tolist() == [True, False, True]


def test_confidence_is_the_product_of_right_decisions():
    P = np.array([[0.9, 0.2], [0.6, 0.7]])
    decided = P >= 0.5
    applies = np.array([[True, True], [True, False]])
    conf = answer_confidence(P, decided, applies)
    assert np.exp(conf) == pytest.approx([0.9 * 0.8, 0.6])
