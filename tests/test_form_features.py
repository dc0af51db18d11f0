"""The model's input built from word numbers is scikit-learn's, value for value, and so are its decisions."""

from __future__ import annotations

import numpy as np
import pytest

from kcc_text.codebook.definition import load_codebook
from kcc_text.io.coded import round3
from kcc_text.model.calibration import sigmoid
from kcc_text.model.form_features import feature_matrix
from kcc_text.parsing import AnswerParser

from speed_data import BUNDLED_CODEBOOK, bundled_answers, bundled_model, spliced_answers  # noqa: F401


def _same(a, b) -> bool:
    return (a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.indptr, b.indptr)
            and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data))


@pytest.mark.parametrize("rows", [bundled_answers(), spliced_answers(1500, seed=9)], ids=["bundled", "spliced"])
def test_feature_matrix_and_probabilities_equal_scikit_learns(bundled_model, rows):
    model, _path = bundled_model
    parsed = AnswerParser(load_codebook(BUNDLED_CODEBOOK)).parse([r["text"] for r in rows],
                                                                 [r["question"] for r in rows])
    fast = feature_matrix(model.features, parsed)
    assert _same(fast, model.features.transform(parsed.rows))
    P = model._probabilities(fast, parsed.applies)
    for j, theme in enumerate(model.themes):  # one classifier at a time, as scikit-learn scores them
        clf = model.classifiers.get(theme)
        if clf is not None:
            a, b = model.platt[theme]
            expected = np.where(parsed.applies[:, j], sigmoid(a * clf.decision_function(fast) + b), 0.0)
            assert np.array_equal(P[:, j], expected), theme


def test_lemma_words_with_a_space_fall_back_to_scikit_learn(bundled_model):
    model, _path = bundled_model
    parser = AnswerParser(load_codebook(BUNDLED_CODEBOOK))
    parsed = parser.parse(["het salaris is laag"], ["aanbevelen"])
    words = parser.forms.forms.words
    record = parsed.records[0]
    odd = words.id("klant vriendelijk")  # no lemma holds a space today; one that did must still count right
    record.lemma_words[1] = odd
    parsed._rows = None
    assert _same(feature_matrix(model.features, parsed), model.features.transform(parsed.rows))


def test_rounding_to_three_decimals_is_pythons():
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.random(20000), np.arange(0, 1.0005, 0.0005), [0.0005, 0.0015, 0.9995, 1.0, 0.0],
                             np.nextafter(np.arange(0, 1, 0.0005), 1), np.nextafter(np.arange(0.0005, 1, 0.0005), 0)])
    assert round3(values) == [round(v, 3) for v in values.tolist()]
