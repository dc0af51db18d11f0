"""Writing outputs: atomic, formula-safe, never over an input."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from kcc_text.errors import OutputPathError
from kcc_text.io.writing import atomic_writer, check_output_path, defuse_formula, write_csv_atomic, write_text_atomic


def test_atomic_writer_replaces_file_only_when_block_succeeds(tmp_path):
    out = tmp_path / "gecodeerd.csv"
    write_text_atomic(out, "id,themes\n1,salaris\n")
    assert out.read_text(encoding="utf-8") == "id,themes\n1,salaris\n"


def test_atomic_writer_leaves_no_partial_file_when_block_raises(tmp_path):
    out = tmp_path / "gecodeerd.csv"
    with pytest.raises(RuntimeError):
        with atomic_writer(out) as fh:
            fh.write("id,themes\n1,sal")
            raise RuntimeError("onderbroken")
    assert not out.exists()
    assert os.listdir(tmp_path) == []  # no temporary file left behind either


def test_atomic_writer_keeps_old_file_when_block_raises(tmp_path):
    out = tmp_path / "gecodeerd.csv"
    out.write_text("oud\n", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_writer(out) as fh:
            fh.write("nieuw, maar half")
            raise RuntimeError("onderbroken")
    assert out.read_text(encoding="utf-8") == "oud\n"
    assert sorted(os.listdir(tmp_path)) == ["gecodeerd.csv"]


@pytest.mark.parametrize("value", ["=SOM(A1:A3)", "+31 6 12345678", "-te weinig", "@gebruiker", "\t=1"])
def test_defuse_formula_makes_formula_like_values_plain_text(value):
    assert defuse_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["Het salaris is laag", "", "3 - 2 = 1", 42, None])
def test_defuse_formula_leaves_ordinary_values_alone(value):
    assert defuse_formula(value) == value


def test_write_csv_atomic_defuses_formulas_in_text_columns(tmp_path):
    out = tmp_path / "uit.csv"
    frame = pd.DataFrame({"id": ["1", "2"], "text": ["=HYPERLINK(\"http://x\")", "Fijne collega's"]})
    write_csv_atomic(frame, out)
    back = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert back["text"].tolist() == ["'=HYPERLINK(\"http://x\")", "Fijne collega's"]


def test_check_output_path_refuses_the_input(tmp_path):
    corpus = tmp_path / "antwoorden.csv"
    corpus.write_text("id,text\n1,loon\n", encoding="utf-8")
    with pytest.raises(OutputPathError) as info:
        check_output_path(corpus, [corpus])
    assert "antwoorden.csv" in str(info.value)


def test_check_output_path_refuses_the_input_spelled_differently(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    corpus = tmp_path / "data" / "antwoorden.csv"
    corpus.write_text("id,text\n1,loon\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "data")
    with pytest.raises(OutputPathError):
        check_output_path("../data/./antwoorden.csv", [corpus])
    with pytest.raises(OutputPathError):
        check_output_path(corpus, ["antwoorden.csv"])


def test_check_output_path_accepts_a_new_file_and_ignores_absent_inputs(tmp_path):
    corpus = tmp_path / "antwoorden.csv"
    corpus.write_text("id,text\n", encoding="utf-8")
    out = tmp_path / "gecodeerd.csv"
    assert check_output_path(out, [corpus, None]) == out


def test_check_output_path_refuses_missing_folder_and_directory(tmp_path):
    with pytest.raises(OutputPathError, match="does not exist"):
        check_output_path(tmp_path / "bestaat-niet" / "uit.csv", [])
    with pytest.raises(OutputPathError, match="directory"):
        check_output_path(tmp_path, [])
