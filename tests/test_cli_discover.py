"""`kcc-text discover`: a table or CSV of phrases the codebook misses, and one-line errors."""

from __future__ import annotations

import csv
import io

import pytest
from typer.testing import CliRunner

from kcc_text.cli import app

runner = CliRunner()

CODED = """id,text,question,themes,needs_review
r1,De roosters zijn slecht en de roosters veranderen steeds.,aanbevelen,,1
r2,"Slechte roosters, geen inspraak.",aanbevelen,,1
r3,Geen inspraak in de roosters!,aanbevelen,,1
r4,Het salaris is laag,aanbevelen,salaris,0
"""


@pytest.fixture
def coded(tmp_path):
    path = tmp_path / "coded.csv"
    path.write_text(CODED, encoding="utf-8")
    return path


def test_table_lists_phrases_with_examples(coded):
    result = runner.invoke(app, ["discover", str(coded)])
    assert result.exit_code == 0, result.output
    assert "3 answers searched" in result.output
    assert "rooster" in result.output and "geen inspraak" in result.output
    assert "r2: Slechte roosters, geen inspraak." in result.output
    assert "salaris" not in result.output  # r4 got a theme and needs no review
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_csv_to_stdout_and_to_a_file(coded, tmp_path):
    result = runner.invoke(app, ["discover", str(coded), "--format", "csv", "--top", "2"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["ngram"] for r in rows] == ["rooster", "geen inspraak"]
    assert rows[0]["answers"] == "3" and rows[0]["example_ids"] == "r1;r2"
    out = tmp_path / "phrases.csv"
    written = runner.invoke(app, ["discover", str(coded), "-f", "csv", "--out", str(out), "--ngram", "1"])
    assert written.exit_code == 0, written.output
    assert out.read_text(encoding="utf-8").startswith("ngram,form,n,answers,share,example_ids,examples\n")


def test_nothing_frequent_enough_says_so(coded):
    result = runner.invoke(app, ["discover", str(coded), "--min-count", "10"])
    assert result.exit_code == 0
    assert "No phrase occurs often enough" in result.output


def test_out_needs_csv_and_never_overwrites_the_input(coded):
    result = runner.invoke(app, ["discover", str(coded), "--out", str(coded.with_name("p.txt"))])
    assert result.exit_code == 2
    assert "--format csv" in result.stderr
    same = runner.invoke(app, ["discover", str(coded), "-f", "csv", "--out", str(coded)])
    assert same.exit_code == 2
    assert "same file as the input" in same.stderr
    assert coded.read_text(encoding="utf-8") == CODED


def test_corpus_instead_of_coded_output_is_exit_2(tiny_corpus):
    result = runner.invoke(app, ["discover", str(tiny_corpus)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {tiny_corpus}: missing column 'themes' "
                                     "(is this a coded output of `kcc-text code`?)")


def test_unknown_question_is_exit_2(coded):
    result = runner.invoke(app, ["discover", str(coded), "--question", "waarom"])
    assert result.exit_code == 2
    assert "the questions are: aanbevelen" in result.stderr
