"""`kcc-text evaluate`: rules, model and hybrid side by side, the trade-off table, and clean errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from training_data import write_training_files


from cli_helpers import assert_clean_error
from cli_helpers import invoke as _invoke

runner = CliRunner()


def invoke(*args):
    return _invoke(*args, env={"COLUMNS": "140"})




@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from conftest import TINY_CODEBOOK_YAML

    folder = tmp_path_factory.mktemp("eval")
    codebook = folder / "kcc-mini.yaml"
    codebook.write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    corpus, labels = write_training_files(folder)
    model = folder / "model.skops"
    assert invoke("train", corpus, labels, "--codebook", codebook, "--out", model).exit_code == 0
    return folder, corpus, labels, codebook, model


def test_cross_validation_without_model(trained):
    _, corpus, labels, codebook, _ = trained
    result = invoke("evaluate", corpus, labels, "--codebook", codebook, "--folds", "3")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "nested 3-fold cross-validation grouped by respondent_id" in out
    for word in ("rules", "model", "hybrid", "micro average", "macro average", "κ", "salaris"):
        assert word in out
    assert "target precision" in out and "0.90" in out and "0.95" in out
    assert "klanten_helpen" in out.split("Too few examples")[1]


def test_scoring_a_model(trained):
    _, corpus, labels, codebook, model = trained
    result = invoke("evaluate", corpus, labels, "--codebook", codebook, "--model", model)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "scored on these gold codes" in out and "model kcc-" in out


def test_model_of_other_codebook_version(trained):
    folder, corpus, labels, codebook, model = trained
    text = codebook.read_text(encoding="utf-8")
    same = folder / "kcc-mini-1.0.1.yaml"
    same.write_text(text.replace("version: 1.0.0", "version: 1.0.1"), encoding="utf-8")
    result = invoke("evaluate", corpus, labels, "--codebook", same, "--model", model)
    assert result.exit_code == 0, result.output
    assert "same content as kcc-mini@1.0.0" in " ".join(result.stderr.split())
    other = folder / "kcc-mini-2.yaml"
    other.write_text(text[:text.index("  - id: collegas")].replace("version: 1.0.0", "version: 2.0.0"),
                     encoding="utf-8")
    result = invoke("evaluate", corpus, labels, "--codebook", other, "--model", model)
    assert_clean_error(result, str(model), "kcc-mini@1.0.0", "kcc-mini@2.0.0")


def test_corrupt_model(trained, tmp_path):
    _, corpus, labels, codebook, _ = trained
    bad = tmp_path / "kapot.skops"
    bad.write_bytes(b"dit is geen model")
    result = invoke("evaluate", corpus, labels, "--codebook", codebook, "--model", bad)
    assert_clean_error(result, str(bad), "not a kcc-text model file")


@pytest.fixture(scope="module")
def bundled_model(tmp_path_factory):
    """A model trained on the bundled corpus, and the bundled files."""
    from kcc_text.bundled import bundled_data

    data = bundled_data()
    folder = tmp_path_factory.mktemp("bundled")
    model = folder / "kcc.skops"
    result = invoke("train", data.corpus, data.labels, "--codebook", data.codebook, "--out", model)
    assert result.exit_code == 0, result.output
    return data, model, folder


def test_evaluate_predictions_are_what_code_writes(bundled_model):
    import pandas as pd

    data, model, folder = bundled_model
    predictions, coded = folder / "predictions.csv", folder / "coded.csv"
    result = invoke("evaluate", data.corpus, data.labels, "--codebook", data.codebook, "--model", model,
                    "--predictions", predictions)
    assert result.exit_code == 0, result.output
    assert invoke("code", data.corpus, "--codebook", data.codebook, "--model", model,
                  "--out", coded).exit_code == 0
    scored = pd.read_csv(predictions, dtype=str, keep_default_na=False).set_index("id")
    written = pd.read_csv(coded, dtype=str, keep_default_na=False).set_index("id").loc[scored.index]
    assert len(scored) == 675
    assert list(scored.columns) == list(written.columns)  # the coded-output format
    assert (scored["themes"] == written["themes"]).all()
    assert (scored["needs_review"] == written["needs_review"]).all()
    # Trained on these very answers, so a few must be coded automatically.
    assert (scored["needs_review"] == "0").sum() > 0


def test_predictions_need_a_model(trained, tmp_path):
    _, corpus, labels, codebook, _ = trained
    result = invoke("evaluate", corpus, labels, "--codebook", codebook, "--predictions", tmp_path / "p.csv")
    assert_clean_error(result, "predictions")
    assert not (tmp_path / "p.csv").exists()
