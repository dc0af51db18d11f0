"""`kcc-text review`: plain tables of disagreements, filters, and one-line errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from kcc_text.cli import app

runner = CliRunner()

CODED = """id,text,wave,question,themes,needs_review,codebook,evidence,th_salaris,th_werkdruk,src_salaris,src_werkdruk
r1,Het salaris is te laag en de werkdruk is hoog.,voorjaar-2020,aanbevelen,salaris;werkdruk,0,mini@1.0.0,salaris: salaris | werkdruk: werkdruk,1,1,rules,rules
r2,"Veel stress, weinig loon",voorjaar-2020,aanbevelen,werkdruk,0,mini@1.0.0,werkdruk: stress,0,1,,rules
r3,Het loon is prima,najaar-2020,aanbevelen,salaris,0,mini@1.0.0,salaris: loon,1,0,rules,
"""


@pytest.fixture
def files(tmp_path):
    coded = tmp_path / "coded.csv"
    coded.write_text(CODED, encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text("id,theme\nr1,salaris\nr2,salaris\nr2,werkdruk\nr3,\n", encoding="utf-8")
    return coded, labels


def test_review_prints_summary_and_errors_with_marked_words(files):
    result = runner.invoke(app, ["review", str(files[0]), "--labels", str(files[1])])
    assert result.exit_code == 0, result.output
    output = result.output
    assert output.index("per theme") < output.index("false positives")
    assert "Het [loon] is prima" in output  # a false positive of salaris, its evidence marked
    assert "Veel [stress], weinig loon" in output  # a false negative, what the machine saw instead
    assert "\x1b[" not in output  # no colour codes without a terminal
    assert max(len(line) for line in output.splitlines()) <= 80


def test_theme_filter_and_summary_only(files):
    result = runner.invoke(app, ["review", str(files[0]), "-l", str(files[1]), "--theme", "werkdruk",
                                 "--limit", "0"])
    assert result.exit_code == 0, result.output
    assert "werkdruk" in result.output and "salaris " not in result.output
    assert "false positives" not in result.output


def test_unknown_theme_is_exit_2_naming_the_themes(files):
    result = runner.invoke(app, ["review", str(files[0]), "-l", str(files[1]), "--theme", "parkeren"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {files[0]}: theme 'parkeren' is not in the coded output "
                                     "(themes: salaris, werkdruk)")


def test_unknown_wave_is_exit_2(files):
    result = runner.invoke(app, ["review", str(files[0]), "-l", str(files[1]), "--wave", "zomer"])
    assert result.exit_code == 2
    assert "the waves are: voorjaar-2020, najaar-2020" in result.stderr


def test_missing_labels_file_is_exit_2(files, tmp_path):
    result = runner.invoke(app, ["review", str(files[0]), "-l", str(tmp_path / "geen.csv")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'geen.csv'}: file not found"


def test_corpus_instead_of_coded_output_is_exit_2(files, tiny_corpus):
    result = runner.invoke(app, ["review", str(tiny_corpus), "-l", str(files[1])])
    assert result.exit_code == 2
    assert "missing column 'themes'" in result.stderr
    assert "Traceback" not in result.output


def test_review_says_when_answers_were_in_the_training_data(tmp_path):
    from cli_helpers import invoke
    from conftest import TINY_CODEBOOK_YAML
    from training_data import write_training_files

    codebook = tmp_path / "kcc-mini.yaml"
    codebook.write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    corpus, labels = write_training_files(tmp_path)
    model, coded = tmp_path / "model.skops", tmp_path / "coded.csv"
    assert invoke("train", corpus, labels, "--codebook", codebook, "--out", model).exit_code == 0
    assert invoke("code", corpus, "--codebook", codebook, "--model", model, "--out", coded).exit_code == 0
    result = invoke("review", coded, "--labels", labels, "--model", model, "--limit", "0")
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "40 of these 40 answers were in the model's training data" in out
    plain = invoke("review", coded, "--labels", labels, "--limit", "0")
    assert "training data" not in plain.stdout
