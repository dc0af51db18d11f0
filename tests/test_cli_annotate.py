"""`kcc-text annotate` driven with scripted key presses through the terminal loop."""

from __future__ import annotations

import csv

import pytest

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


# --- blind coding (an audit) ----------------------------------------------------------------------


def blind(corpus, codebook, labels, keys, *extra):
    return runner.invoke(app, ["annotate", str(corpus), "--codebook", str(codebook), "--labels", str(labels),
                               "--coder", "ann", "--blind", *extra], input=keys)


def test_blind_shows_no_suggestion_and_ticks_nothing(tiny_corpus, tiny_codebook, tmp_path):
    labels = tmp_path / "audit.labels.csv"
    # r1: Enter on nothing saves nothing; then 2 (werkdruk) and Enter; r2: 0 no theme; quit.
    result = blind(tiny_corpus, tiny_codebook, labels, "\r2\r0q")
    assert result.exit_code == 0, result.output
    first = result.output.split("Enter save")[0]
    assert "Het salaris is veel te laag." in first and "blind" in first
    assert "[x]" not in first and "suggested" not in result.output  # the rules found salaris: not shown
    assert "nothing ticked: press 0 if no theme applies" in result.output
    assert label_sets(read_labels(labels)) == {"r1": {"werkdruk"}, "r2": frozenset()}
    row = read_labels(labels).iloc[0]
    assert row["coder"] == "ann" and row["coded_at"].startswith("20")


def test_blind_coding_resumes_and_keeps_every_decision(tiny_corpus, tiny_codebook, tmp_path):
    labels = tmp_path / "audit.labels.csv"
    assert blind(tiny_corpus, tiny_codebook, labels, "1\r").exit_code == 0
    result = blind(tiny_corpus, tiny_codebook, labels, "u0q")  # nothing of r1 to undo in a new run
    assert result.exit_code == 0, result.output
    assert "Het salaris is veel te laag." not in result.output
    assert label_sets(read_labels(labels)) == {"r1": {"salaris"}, "r2": frozenset()}
    with open(labels, encoding="utf-8") as fh:
        assert len(fh.read().splitlines()) == 3  # header and two decisions, appended


@pytest.mark.parametrize("extra, words", [
    (["--model", "model.skops"], ["--model", "blind"]),
    (["--order", "uncertain"], ["--order uncertain", "file order"]),
    (["--only-review"], ["--only-review"]),
])
def test_blind_refuses_whatever_would_show_the_machine(tiny_corpus, tiny_codebook, tmp_path, extra, words):
    labels = tmp_path / "audit.labels.csv"
    result = blind(tiny_corpus, tiny_codebook, labels, "\r", *extra)
    assert result.exit_code == 2
    for word in words:
        assert word in result.stderr
    assert not labels.exists()


def test_the_blind_screen_fits_80_by_24_with_the_full_codebook(tmp_path):
    import io

    from rich.console import Console

    from kcc_text.annotate.session import AnnotationItem, AnnotationSession, prepare_labels_file
    from kcc_text.bundled import bundled_data
    from kcc_text.cli.annotate_cmd import blind_screen
    from kcc_text.codebook.definition import load_codebook

    codebook = load_codebook(bundled_data().codebook)
    long_answer = ("Ik zit nu al drie jaar via het uitzendbureau en krijg steeds maar weer een contract van een "
                   "paar maanden. ") * 8
    items = [AnnotationItem(id="nj20-r123-ab", text=long_answer, wave="najaar-2020", question="aanbevelen",
                            suggested=(), scores=None, needs_review=False,
                            applicable=tuple(t.id for t in codebook.themes_for("aanbevelen")))]
    labels = tmp_path / "l.csv"
    prepare_labels_file(labels)
    session = AnnotationSession(items, codebook, "ann", labels, blind=True)
    session.message = "nothing ticked: press 0 if no theme applies"
    pages = []
    for _ in range(3):
        console = Console(width=80, record=True, file=io.StringIO(), color_system=None)
        console.print(blind_screen(session, width=80, height=24), soft_wrap=True)
        lines = console.export_text().rstrip("\n").split("\n")
        assert len(lines) <= 24 and max(len(line) for line in lines) <= 80
        pages.append(lines)
        session.handle(" ")  # space: the next page of the answer
    assert len(codebook.themes_for("aanbevelen")) == 23
    assert "o Onzekerheid (flexcontract)" in "\n".join(pages[0])
    assert "page 1/" in "\n".join(pages[0]) and "page 2/" in "\n".join(pages[1])
    words_shown = " ".join(" ".join(p[2:8]) for p in pages[:2]).split()
    assert words_shown[:20] == long_answer.split()[:20] and pages[0][2] != pages[1][2]
