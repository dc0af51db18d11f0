"""Agreement between two codings: hand-computed kappa and alpha, pooling, undefined values, coded outputs."""

from __future__ import annotations

import math

import pytest

from kcc_text.jobs import agreement_files
from kcc_text.analysis.agreement import (
    ALL, CSV_COLUMNS, Codes, agreement_report, binary_agreement, load_codes, verdict,
)
from kcc_text.codebook.definition import load_codebook
from kcc_text.errors import InputFileError, UsageError


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_coders(tmp_path):
    a = write(tmp_path / "ann.csv", "id,theme,coder\n"
              "r1,salaris,ann\nr2,werkdruk,ann\nr3,,ann\nr4,salaris,ann\nr4,werkdruk,ann\n")
    b = write(tmp_path / "bob.csv", "id,theme,coder\n"
              "r1,salaris,bob\nr2,salaris,bob\nr3,,bob\nr4,werkdruk,bob\nr5,werkdruk,bob\n")
    return a, b


def test_kappa_and_alpha_match_a_hand_computed_example():
    # a = 0 1 0 1, b = 0 0 0 1: observed agreement 3/4, chance agreement (2/4)(3/4) + (2/4)(1/4) = 1/2,
    # so kappa = (.75 - .5) / (1 - .5) = .5. Alpha: of the 8 values n0 = 5 and n1 = 3; the one disagreeing
    # answer gives 2 off-diagonal coincidences, so alpha = 1 - (8 - 1) * 2 / (2 * 5 * 3) = 8/15.
    agreement, kappa, alpha, note = binary_agreement([0, 1, 0, 1], [0, 0, 0, 1])
    assert agreement == 0.75
    assert kappa == pytest.approx(0.5)
    assert alpha == pytest.approx(8 / 15)
    assert note == ""


def test_report_per_theme_and_pooled(two_coders):
    result = agreement_files(*two_coders)
    rows = {r.theme: r for r in result.rows}
    assert [r.theme for r in result.rows] == ["salaris", "werkdruk", ALL]
    assert result.n_answers == 4 and result.only_a == 0 and result.only_b == 1
    werkdruk = rows["werkdruk"]
    assert (werkdruk.n, werkdruk.n_a, werkdruk.n_b) == (4, 2, 1)
    assert werkdruk.cohen_kappa == pytest.approx(0.5)
    assert werkdruk.krippendorff_alpha == pytest.approx(8 / 15)
    overall = rows[ALL]
    assert overall.n == 4  # answers, while the pooled series holds 2 themes x 4 answers
    assert result.n_decisions == 8
    assert overall.agreement == pytest.approx(5 / 8)
    assert result.exact_set_agreement == pytest.approx(2 / 4)  # r1 and r3
    assert overall.verdict == "unreliable"


def test_a_theme_nobody_gave_is_undefined_not_a_crash():
    a = {"r1": {"salaris"}, "r2": set()}
    b = {"r1": {"salaris"}, "r2": set()}
    result = agreement_report(a, b, themes=["salaris", "werkdruk"])
    werkdruk = result.rows[1]
    assert werkdruk.agreement == 1.0
    assert math.isnan(werkdruk.cohen_kappa) and math.isnan(werkdruk.krippendorff_alpha)
    assert werkdruk.verdict == "undefined"
    assert "undefined" in werkdruk.note
    frame = result.to_frame()
    assert frame.loc[1, "cohen_kappa"] == "" and frame.loc[1, "krippendorff_alpha"] == ""
    assert result.to_dict()["rows"][1]["krippendorff_alpha"] is None
    assert result.rows[0].krippendorff_alpha == 1.0 and result.rows[0].verdict == "reliable"


def test_verdict_thresholds():
    assert verdict(0.80) == "reliable"
    assert verdict(0.70) == "tentative"
    assert verdict(0.667) == "tentative"
    assert verdict(0.5) == "unreliable"
    assert verdict(math.nan) == "undefined"


def test_frame_has_the_contract_columns_first_and_all_last(two_coders):
    frame = agreement_files(*two_coders).to_frame()
    assert list(frame.columns[:5]) == CSV_COLUMNS
    assert frame["theme"].iloc[-1] == "ALL"


def test_latest_decision_of_a_coder_counts(tmp_path):
    a = write(tmp_path / "a.csv", "id,theme,coder,coded_at\n"
              "r1,salaris,ann,2024-01-01T10:00:00.000000+00:00\n"
              "r1,werkdruk,ann,2024-01-02T10:00:00.000000+00:00\n"
              "r2,,ann,2024-01-01T10:00:00.000000+00:00\n")
    codes = load_codes(a)
    assert codes.sets == {"r1": frozenset({"werkdruk"}), "r2": frozenset()}


def test_coded_output_stands_in_for_a_coder(tmp_path, two_coders):
    coded = write(tmp_path / "coded.csv", "id,text,themes,needs_review,codebook\n"
                  "r1,Het loon is laag,salaris,0,mini@1.0.0\n"
                  "r2,Veel stress,werkdruk,0,mini@1.0.0\n"
                  "r3,Prima,,1,mini@1.0.0\n"
                  "r4,Loon en stress,salaris;werkdruk,0,mini@1.0.0\n")
    codes = load_codes(coded)
    assert codes.kind == "coded"
    assert codes.sets["r4"] == frozenset({"salaris", "werkdruk"})
    result = agreement_files(two_coders[0], coded)
    assert result.overall.agreement == 1.0
    assert result.exact_set_agreement == 1.0


def test_theme_limited_to_a_question_is_judged_on_that_question_only(tmp_path, tiny_codebook):
    labels = "id,theme,question\nr1,klanten_helpen,toegevoegde_waarde\nr2,,toegevoegde_waarde\n" \
             "r3,salaris,aanbevelen\nr4,,aanbevelen\n"
    a = write(tmp_path / "a.csv", labels)
    b = write(tmp_path / "b.csv", labels.replace("r2,,", "r2,klanten_helpen,"))
    result = agreement_files(a, b, codebook_path=tiny_codebook)
    rows = {r.theme: r for r in result.rows}
    assert rows["klanten_helpen"].n == 2  # not r3 and r4: the theme is not asked there
    assert rows["salaris"].n == 4
    assert [r.theme for r in result.rows][:-1] == load_codebook(tiny_codebook).theme_ids


def test_no_shared_answers_is_an_error():
    with pytest.raises(UsageError, match="no answer is coded in both"):
        agreement_report(Codes({"r1": frozenset()}, name="a.csv"), Codes({"r2": frozenset()}, name="b.csv"))


def test_unknown_coder_and_theme_are_named(two_coders):
    with pytest.raises(UsageError, match="coders: ann"):
        agreement_files(*two_coders, coder_a="carla")
    with pytest.raises(UsageError, match="themes: salaris, werkdruk"):
        agreement_files(*two_coders, themes=["loon"])


def test_theme_outside_the_codebook_names_the_file_and_line(tmp_path, tiny_codebook, two_coders):
    bad = write(tmp_path / "bad.csv", "id,theme\nr1,salaris\nr2,parkeren\n")
    with pytest.raises(InputFileError, match=r"bad.csv:3: theme 'parkeren' is not in the codebook"):
        agreement_files(two_coders[0], bad, codebook_path=tiny_codebook)


def test_file_without_theme_columns_is_refused(tmp_path, two_coders):
    bad = write(tmp_path / "corpus.csv", "id,text\nr1,Het loon is laag\n")
    with pytest.raises(InputFileError, match="corpus.csv: missing columns"):
        agreement_files(two_coders[0], bad)


def test_a_file_with_several_coders_gets_a_note(tmp_path, two_coders):
    mixed = write(tmp_path / "mixed.csv", "id,theme,coder\nr1,salaris,ann\nr2,werkdruk,carla\n")
    result = agreement_files(mixed, two_coders[1])
    assert len(result.notes) == 1 and "2 coders (ann, carla)" in result.notes[0]
    assert agreement_files(mixed, two_coders[1], coder_a="ann").notes == ()
