"""A wide survey export through every command: train, evaluate, code (confidence), annotate, review, shift, agreement.

In the long output of a wide file an answer is (id, question): the respondent's id repeats,
once per question. Labels rows carry the question, so people's codes meet the right answer.
"""

from __future__ import annotations

import csv

import pytest

from cli_helpers import assert_clean_error, invoke
from training_data import ANSWERS

from kcc_text.io.labels import read_labels
from kcc_text.io.coded import read_coded

WIDE_COLS = ("--id-col", "respondent", "--text-col", "aanb=aanbevelen", "--text-col", "tw=toegevoegde_waarde")


def wide_training_files(folder):
    """The training answers as a wide export: one row per respondent, one column per question."""
    recommend = [a for a in ANSWERS if a[2] == "aanbevelen"]
    added = [a for a in ANSWERS if a[2] == "toegevoegde_waarde"]
    corpus, labels = folder / "wide.csv", folder / "wide.labels.csv"
    with corpus.open("w", encoding="utf-8", newline="") as fh, labels.open("w", encoding="utf-8", newline="") as lf:
        rows, codes = csv.writer(fh, lineterminator="\n"), csv.writer(lf, lineterminator="\n")
        rows.writerow(["respondent", "aanb", "tw", "regio"])
        codes.writerow(["id", "question", "theme", "coder"])
        for n, answer in enumerate(recommend):
            respondent = f"w{n + 1:02d}"
            other = added[n] if n < len(added) else None
            rows.writerow([respondent, answer[3], other[3] if other else "", "noord" if n % 2 else "zuid"])
            for theme in answer[4].split(";"):
                codes.writerow([respondent, "aanbevelen", theme, "A"])
            if other:
                for theme in other[4].split(";"):
                    codes.writerow([respondent, "toegevoegde_waarde", theme, "A"])
    return corpus, labels


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from conftest import TINY_CODEBOOK_YAML

    folder = tmp_path_factory.mktemp("wide")
    codebook = folder / "kcc-mini.yaml"
    codebook.write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    corpus, labels = wide_training_files(folder)
    model = folder / "model.skops"
    result = invoke("train", corpus, labels, "--codebook", codebook, "--out", model, *WIDE_COLS)
    assert result.exit_code == 0, result.output
    return folder, corpus, labels, codebook, model, result


def test_train_matches_labels_on_id_and_question(trained):
    *_, result = trained
    out = " ".join(result.stdout.split())
    # 36 answers to aanbevelen and 4 to toegevoegde_waarde, 40 coded: none lost to a shared id.
    assert "Trained on 40 coded answers of 72" in out and "grouped by respondent_id" in out


def test_evaluate_reads_the_wide_file_the_same_way(trained):
    _, corpus, labels, codebook, model, _ = trained
    result = invoke("evaluate", corpus, labels, "--codebook", codebook, "--model", model, *WIDE_COLS,
                    env={"COLUMNS": "140"})
    assert result.exit_code == 0, result.output
    assert "salaris" in result.stdout


def test_confidence_per_answer_and_no_probability_where_a_theme_does_not_apply(trained, tmp_path):
    _, corpus, _, codebook, model, _ = trained
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", corpus, "--codebook", codebook, "--model", model, "--out", out, *WIDE_COLS)
    assert result.exit_code == 0, result.output
    coded = read_coded(out)
    recommend = coded[coded["question"] == "aanbevelen"]
    added = coded[(coded["question"] == "toegevoegde_waarde") & (coded["text"] != "")]
    assert set(recommend["p_klanten_helpen"]) == {""}  # klanten_helpen is for toegevoegde_waarde only
    assert all(0.0 <= float(p) <= 1.0 for p in added["p_klanten_helpen"])
    assert all(p != "" for p in recommend["p_salaris"])
    confidence = coded["confidence"].astype(float)
    assert confidence.between(0.0, 1.0).all()
    auto, review = confidence[coded["needs_review"] == "0"], confidence[coded["needs_review"] == "1"]
    assert len(auto) and len(review)
    # Sent to a person means: less likely to be right than what was coded automatically.
    assert auto.min() >= review.max()
    assert (confidence[coded["text"] == ""] == 1.0).all()  # an empty answer certainly has no theme


def test_code_without_model_leaves_confidence_empty(trained, tmp_path):
    _, corpus, _, codebook, _, _ = trained
    out = tmp_path / "gecodeerd.csv"
    assert invoke("code", corpus, "--codebook", codebook, "--out", out, *WIDE_COLS).exit_code == 0
    coded = read_coded(out)
    assert set(coded["confidence"]) == {""} and not any(c.startswith("p_") for c in coded.columns)


def test_train_with_labels_without_question_column_is_exit_2(trained, tmp_path):
    _, corpus, _, codebook, _, _ = trained
    labels = tmp_path / "labels.csv"
    labels.write_text("id,theme\nw01,salaris\n", encoding="utf-8")
    result = invoke("train", corpus, labels, "--codebook", codebook, "--out", tmp_path / "m.skops", *WIDE_COLS)
    assert_clean_error(result, "labels.csv", "no question column")


TWO_QUESTIONS = ("respondent,aanb,tw,regio\n"
                 "r1,Het salaris is te laag,Klanten helpen met hun vragen,noord\n"
                 "r2,Veel stress,Je kunt de klant echt helpen,zuid\n")


@pytest.fixture
def two_questions(tmp_path, tiny_codebook):
    corpus = tmp_path / "wide.csv"
    corpus.write_text(TWO_QUESTIONS, encoding="utf-8")
    return corpus, tiny_codebook


def annotate(corpus, codebook, labels, keys):
    from typer.testing import CliRunner

    from kcc_text.cli import app

    return CliRunner().invoke(app, ["annotate", str(corpus), "--codebook", str(codebook), "--labels", str(labels),
                                    "--coder", "ann", "--order", "input", *WIDE_COLS], input=keys)


def test_annotate_a_wide_file_records_the_question_and_resumes_per_answer(two_questions, tmp_path):
    corpus, codebook = two_questions
    labels = tmp_path / "labels.csv"
    result = annotate(corpus, codebook, labels, "\r")  # r1's aanbevelen answer: accept salaris, then input ends
    assert result.exit_code == 0, result.output
    rows = read_labels(labels)
    assert rows[["id", "question", "theme"]].values.tolist() == [["r1", "aanbevelen", "salaris"]]
    again = annotate(corpus, codebook, labels, "\r")  # r1's other answer is next, not skipped as "r1 done"
    assert again.exit_code == 0, again.output
    assert "Klanten helpen met hun vragen" in again.output
    rows = read_labels(labels)
    assert rows[["id", "question"]].values.tolist() == [["r1", "aanbevelen"], ["r1", "toegevoegde_waarde"]]


def test_review_shift_and_agreement_match_answers_on_id_and_question(two_questions, tmp_path):
    corpus, codebook = two_questions
    coded = tmp_path / "gecodeerd.csv"
    assert invoke("code", corpus, "-c", codebook, "-o", coded, *WIDE_COLS).exit_code == 0
    labels = tmp_path / "labels.csv"
    labels.write_text("id,question,theme,coder\nr1,aanbevelen,salaris,A\nr1,toegevoegde_waarde,,A\n"
                      "r2,aanbevelen,werkdruk,A\nr2,toegevoegde_waarde,klanten_helpen,A\n", encoding="utf-8")
    review = invoke("review", coded, "--labels", labels)
    assert review.exit_code == 0, review.output
    assert "4 answers coded by machine and people" in review.output
    assert "r1 · toegevo" in review.output  # the machine's klanten_helpen the coder left out
    assert "r1 · aanbev" not in review.output  # agreed answers are not listed
    agreement = invoke("agreement", labels, coded, "--format", "csv")
    assert agreement.exit_code == 0, agreement.output
    last = agreement.stdout.strip().splitlines()[-1].split(",")
    assert last[:2] == ["ALL", "4"]  # four answers coded by both, not two respondents
    shift = invoke("shift", coded, "--by", "regio", "--labels", labels, "--codebook", codebook, "--format", "csv")
    assert shift.exit_code == 0, shift.output
    rows = {(r["question"], r["theme"]): r for r in csv.DictReader(shift.stdout.splitlines())}
    assert (rows["aanbevelen", "salaris"]["n_a"], rows["aanbevelen", "salaris"]["n_b"]) == ("1", "0")
    assert (rows["toegevoegde_waarde", "klanten_helpen"]["n_a"],
            rows["toegevoegde_waarde", "klanten_helpen"]["n_b"]) == ("0", "1")
    assert rows["toegevoegde_waarde", "werkdruk"]["n_b"] == "0"  # r2's werkdruk was its other answer
