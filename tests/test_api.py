"""The public library API: each step of the analysis as one call, on pandas DataFrames."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import kcc_text as kt
from training_data import label_sets_of, write_training_files


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from conftest import TINY_CODEBOOK_YAML

    folder = tmp_path_factory.mktemp("api")
    (folder / "kcc-mini.yaml").write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    corpus, labels = write_training_files(folder)
    codebook = kt.load_codebook(folder / "kcc-mini.yaml")
    return codebook, kt.read_answers(corpus), kt.read_labels(labels, codebook)


def test_import_is_light():
    # `import kcc_text` must not pull in the heavy libraries: the CLI's --help stays instant.
    code = "import sys, kcc_text; print(sorted(m for m in ('pandas', 'sklearn', 'spacy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_everything_named_in_all_is_there():
    for name in kt.__all__:
        assert getattr(kt, name) is not None


def test_train_code_shift_agreement_on_frames(tiny):
    codebook, answers, labels = tiny
    model = kt.train(answers, labels, codebook)
    assert isinstance(model, kt.ThemeClassifier)
    coded = kt.code(answers, codebook, model=model)
    assert isinstance(coded, pd.DataFrame)
    assert list(coded["id"]) == list(answers["id"])
    assert {"themes", "needs_review", "th_salaris", "p_salaris"} <= set(coded.columns)
    # A model trained on these answers finds salaris where its patterns know no word ("beloning").
    assert "salaris" in coded.set_index("id").loc["a01", "themes"].split(";")
    agreement = kt.agreement(labels, coded, codebook).to_frame()
    assert agreement.iloc[-1]["theme"] == "ALL" and agreement.iloc[-1]["agreement"] > 0.9
    coded["wave"] = ["voorjaar" if i % 2 else "najaar" for i in range(len(coded))]
    table = kt.shift(coded, codebook).table
    assert {"theme", "pct_a", "pct_b", "diff_pp", "ci_low", "ci_high", "p_value"} <= set(table.columns)


def test_theme_classifier_has_scikit_learn_manners(tiny):
    from sklearn.base import clone

    codebook, answers, labels = tiny
    clf = kt.ThemeClassifier(codebook, C=1.0, folds=3)
    assert clf.get_params()["C"] == 1.0
    copy = clone(clf)
    assert copy.get_params()["folds"] == 3 and not hasattr(copy, "model_")
    assert clf.fit(answers, label_sets_of()) is clf
    proba = clf.predict_proba(answers)
    assert proba.shape == (len(answers), len(codebook.themes))
    assert ((proba >= 0) & (proba <= 1)).all().all()
    predicted = clf.predict(answers)
    assert set(predicted.to_numpy().ravel()) <= {0, 1}
    assert predicted.loc["a03", "salaris"] == 1  # "Het salaris is te laag"


def test_unfitted_classifier_says_so(tiny):
    codebook, answers, _ = tiny
    with pytest.raises(kt.KccError, match="not fitted"):
        kt.ThemeClassifier(codebook).predict(answers)


def test_saved_model_codes_the_same(tiny, tmp_path):
    codebook, answers, labels = tiny
    model = kt.train(answers, labels, codebook)
    kt.save_model(model, tmp_path / "m.skops")
    again = kt.load_model(tmp_path / "m.skops")
    first = kt.code(answers, codebook, model=model)
    second = kt.code(answers, codebook, model=again)
    assert first["themes"].tolist() == second["themes"].tolist()


def test_bundled_data_ships_with_the_package():
    data = kt.bundled_data()
    codebook = kt.load_codebook(data.codebook)
    assert codebook.ref.startswith("kcc@")
    assert len(kt.read_answers(data.corpus)) == 675
