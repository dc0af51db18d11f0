"""`kcc-text train`: a model file with its card, the per-theme summary, and clean errors."""

from __future__ import annotations

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
