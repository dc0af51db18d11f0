"""`kcc-text sample`: a reproducible random audit sample in the corpus format, with its record beside it."""

from __future__ import annotations

import csv
import hashlib
import json

import pandas as pd
import pytest

from cli_helpers import assert_clean_error, invoke

WAVES = ("voorjaar-2020", "najaar-2020")
TEXTS = ["Het salaris is veel te laag.", "Veel stress en te veel werk", "Fijne collega's om je heen",
         "Klanten goed helpen, daar draait het om", "Ik heb veel plezier in mijn werk"]


@pytest.fixture
def coded(tiny_codebook, tmp_path):
    """A coded file of 24 answers: 2 waves x 2 questions, with two non-answers and a formula-like text."""
    corpus = tmp_path / "antwoorden.csv"
    with corpus.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "text", "wave", "question", "leeftijd"])
        k = 0
        for wave in WAVES:
            for question in ("aanbevelen", "toegevoegde_waarde"):
                for i in range(6):
                    text = TEXTS[(k + i) % len(TEXTS)]
                    writer.writerow([f"r{k:02d}", text, wave, question, "25-34"])
                    k += 1
        writer.writerow(["r90", "n.v.t.", WAVES[0], "aanbevelen", "35-44"])
        writer.writerow(["r91", "", WAVES[0], "aanbevelen", "35-44"])
        writer.writerow(["r92", "=1+1 is te weinig", WAVES[0], "aanbevelen", "35-44"])
    out = tmp_path / "gecodeerd.csv"
    assert invoke("code", corpus, "--codebook", tiny_codebook, "--out", out).exit_code == 0
    return out


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_sample_per_wave_and_question_in_corpus_format_with_its_record(coded, tmp_path):
    audit = tmp_path / "audit.csv"
    result = invoke("sample", coded, "--n", 3, "--seed", 42, "--out", audit)
    assert result.exit_code == 0, result.output
    sample = read(audit)
    assert list(sample.columns) == ["id", "text", "wave", "question", "leeftijd"]  # never the machine's codes
    assert sample.groupby(["wave", "question"], sort=False).size().tolist() == [3, 3, 3, 3]
    assert not {"r90", "r91"} & set(sample["id"])  # a non-answer and a blank are never drawn
    record = json.loads((tmp_path / "audit.csv.json").read_text(encoding="utf-8"))
    assert record["kind"] == "kcc-text audit sample"
    assert record["settings"] == {"n": 3, "by": ["wave", "question"], "seed": 42, "seed_given": True}
    assert record["coded_sha256"] == hashlib.sha256(coded.read_bytes()).hexdigest()
    assert record["created_at"] and record["rows"] == 12
    assert record["strata"][0] == {"group": {"wave": "voorjaar-2020", "question": "aanbevelen"}, "answers": 9,
                                   "non_answers": 2, "eligible": 7, "sampled": 3, "whole": False}
    assert "Drew 12 answers from 4 group(s)" in result.stdout and "seed 42" in result.stdout


def test_the_same_seed_draws_the_same_sample(coded, tmp_path):
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    for out, seed in ((first, 7), (second, 7), (other, 8)):
        assert invoke("sample", coded, "--n", 2, "--seed", seed, "--out", out).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    assert set(read(first)["id"]) != set(read(other)["id"])


def test_without_a_seed_the_seed_is_told_and_repeats_the_sample(coded, tmp_path):
    result = invoke("sample", coded, "--n", 2, "--out", tmp_path / "a.csv")
    assert result.exit_code == 0, result.output
    seed = json.loads((tmp_path / "a.csv.json").read_text(encoding="utf-8"))["settings"]["seed"]
    assert f"give --seed {seed} to draw the same sample again" in result.stderr
    assert invoke("sample", coded, "--n", 2, "--seed", seed, "--out", tmp_path / "b.csv").exit_code == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_a_group_smaller_than_n_is_taken_whole_and_said_so(coded, tmp_path):
    result = invoke("sample", coded, "--n", 50, "--by", "wave", "--seed", 1, "--out", tmp_path / "a.csv")
    assert result.exit_code == 0, result.output
    assert "note: wave voorjaar-2020 has only 13 answers to draw from (asked 50): all of them" in result.stderr
    assert len(read(tmp_path / "a.csv")) == 13 + 12
    assert "(all)" in result.stdout


def test_by_any_metadata_column(coded, tmp_path):
    result = invoke("sample", coded, "--n", 4, "--by", "leeftijd", "--seed", 1, "--out", tmp_path / "a.csv")
    assert result.exit_code == 0, result.output
    assert read(tmp_path / "a.csv")["leeftijd"].value_counts().to_dict() == {"25-34": 4, "35-44": 1}


def test_a_formula_like_answer_is_defused_in_the_file_and_shown_as_written_when_annotating(
        coded, tiny_codebook, tmp_path):
    audit = tmp_path / "audit.csv"
    assert invoke("sample", coded, "--n", 50, "--by", "leeftijd", "--seed", 1, "--out", audit).exit_code == 0
    assert "'=1+1 is te weinig" in audit.read_text(encoding="utf-8-sig")  # a spreadsheet shows text
    from kcc_text.io.corpus import read_answers

    assert "=1+1 is te weinig" in read_answers(audit)["text"].tolist()


@pytest.mark.parametrize("args, words", [
    (["--n", "0"], ["--n must be at least 1"]),
    (["--n", "3", "--by", "regio"], ["gecodeerd.csv", "no column 'regio'"]),
    (["--n", "3", "--seed", "-4"], ["--seed"]),
])
def test_bad_settings_are_exit_2_and_write_nothing(coded, tmp_path, args, words):
    out = tmp_path / "audit.csv"
    result = invoke("sample", coded, *args, "--out", out)
    assert_clean_error(result, *words)
    assert not out.exists() and not (tmp_path / "audit.csv.json").exists()


def test_an_output_that_is_not_csv_or_is_the_input_is_refused(coded, tmp_path):
    assert_clean_error(invoke("sample", coded, "--n", 3, "--out", tmp_path / "audit.xlsx"), "audit.xlsx", ".csv")
    before = coded.read_bytes()
    assert_clean_error(invoke("sample", coded, "--n", 3, "--out", coded), "same file as the input")
    assert coded.read_bytes() == before


def test_a_missing_or_foreign_coded_file_is_exit_2(tmp_path):
    assert_clean_error(invoke("sample", tmp_path / "weg.csv", "--n", 3, "--out", tmp_path / "a.csv"), "weg.csv")
    other = tmp_path / "lijst.csv"
    other.write_text("nummer,antwoord\n1,Het salaris\n", encoding="utf-8")
    assert_clean_error(invoke("sample", other, "--n", 3, "--out", tmp_path / "a.csv"), "lijst.csv",
                       "missing column 'id'")


def test_a_file_with_human_codes_is_refused(coded, tmp_path):
    frame = read(coded)
    frame.loc[0, "source"] = "human"
    merged = tmp_path / "final.csv"
    frame.to_csv(merged, index=False)
    assert_clean_error(invoke("sample", merged, "--n", 3, "--out", tmp_path / "a.csv"), "final.csv",
                       "source = human")
