"""`kcc-text annotate` driven with scripted key presses through the terminal loop."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from kcc_text.cli import app
from kcc_text.io.labels import label_sets, read_labels

runner = CliRunner()


def annotate(corpus, codebook, labels, keys, *extra):
    return runner.invoke(app, ["annotate", str(corpus), "--codebook", str(codebook), "--labels", str(labels),
                               "--coder", "ann", "--order", "input", *extra], input=keys)


def test_keys_code_answers_and_every_decision_is_saved(tiny_corpus, tiny_codebook, tmp_path):
    labels = tmp_path / "labels.csv"
    # r1: accept the suggested salaris; r2: toggle salaris on too, accept; r3: no theme; then quit.
    result = annotate(tiny_corpus, tiny_codebook, labels, "\r1\r0q")
    assert result.exit_code == 0, result.output
    assert "Het salaris is veel te laag." in result.output  # the answer is on screen
    assert "[x] 1 salaris" in result.output
    assert "3 decisions saved" in result.output
    assert label_sets(read_labels(labels)) == {"r1": {"salaris"}, "r2": {"salaris", "werkdruk"},
                                               "r3": frozenset()}
    with open(labels, encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    assert first["coder"] == "ann" and first["codebook"] == "kcc-mini@1.0.0" and first["coded_at"]


def test_an_interrupted_run_resumes_where_it_stopped(tiny_corpus, tiny_codebook, tmp_path):
    labels = tmp_path / "labels.csv"
    assert annotate(tiny_corpus, tiny_codebook, labels, "\r").exit_code == 0  # input ends after one key
    result = annotate(tiny_corpus, tiny_codebook, labels, "\r\r\r")
    assert result.exit_code == 0, result.output
    assert "Het salaris is veel te laag." not in result.output
    assert set(label_sets(read_labels(labels))) == {"r1", "r2", "r3", "r5"}
    done = annotate(tiny_corpus, tiny_codebook, labels, "")
    assert done.exit_code == 0
    assert "Nothing to code: 4 of 5 answers already coded by ann" in done.output


def test_undo_then_a_new_decision_replaces_the_old_one(tiny_corpus, tiny_codebook, tmp_path):
    labels = tmp_path / "labels.csv"
    result = annotate(tiny_corpus, tiny_codebook, labels, "\ru0q")  # accept r1, undo, r1 gets no theme
    assert result.exit_code == 0, result.output
    assert "back to r1" in result.output
    assert label_sets(read_labels(labels), coder="ann") == {"r1": frozenset()}
    assert len(read_labels(labels)) == 2  # both decisions stay in the append-only file


def test_labels_over_the_corpus_is_exit_2(tiny_corpus, tiny_codebook):
    before = tiny_corpus.read_bytes()
    result = annotate(tiny_corpus, tiny_codebook, tiny_corpus, "\r")
    assert result.exit_code == 2
    assert "same file as the input" in result.stderr
    assert tiny_corpus.read_bytes() == before


def test_labels_without_coder_column_is_exit_2(tiny_corpus, tiny_codebook, tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text("id,theme\nr1,salaris\n", encoding="utf-8")
    result = annotate(tiny_corpus, tiny_codebook, gold, "\r")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {gold}: has no 'coder' column")
    assert gold.read_text(encoding="utf-8") == "id,theme\nr1,salaris\n"
