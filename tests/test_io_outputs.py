"""Coded files in the format their name asks for: CSV for Excel, XLSX, SPSS with labels; and back, exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from kcc_text.codebook.definition import load_codebook
from kcc_text.errors import UsageError
from kcc_text.io.coded import read_coded
from kcc_text.io.outputs import output_format, parse_delimiter, write_coded
from kcc_text.io.spss import is_valid_name, spss_names
from kcc_text.io.writing import defuse_formula, undefuse

TRICKY = ["-99", "-1", "+31", "-1.000,50", "- te weinig", "-te veel werk", "=SOM(A1:A3)", "@collega",
          "\tinspringen", "'s avonds", "'=al met apostrof", "''=twee apostroffen", "", "gewoon antwoord"]


@pytest.mark.parametrize("value", ["-99", "-1", "+31", "-1.000,50", "3,5", "-2e3", "50%"])
def test_numbers_are_not_defused(value):
    assert defuse_formula(value) == value


@pytest.mark.parametrize("value", ["- te weinig", "-te veel werk", "+31 6 12345678", "=1+1", "@x", "\r=1"])
def test_text_a_spreadsheet_would_run_is_defused(value):
    assert defuse_formula(value) == "'" + value


@pytest.mark.parametrize("value", TRICKY)
def test_undefuse_gives_back_every_value_exactly(value):
    assert undefuse(defuse_formula(value)) == value


@pytest.mark.parametrize("name, fmt", [("uit.csv", "csv"), ("uit.XLSX", "xlsx"), ("uit.sav", "sav")])
def test_output_format_follows_the_extension(name, fmt):
    assert output_format(name) == fmt


@pytest.mark.parametrize("name", ["uit.txt", "uit.xls", "uit"])
def test_other_extensions_are_an_error(name):
    with pytest.raises(UsageError) as info:
        output_format(name)
    assert ".csv, .xlsx, .sav" in str(info.value)


def test_delimiter_only_for_csv():
    assert parse_delimiter(";", "csv") == ";" and parse_delimiter("tab", "csv") == "\t"
    with pytest.raises(UsageError, match=".csv output"):
        parse_delimiter(";", "xlsx")
    with pytest.raises(UsageError, match="one of"):
        parse_delimiter("::", "csv")


def coded_frame():
    return pd.DataFrame({
        "id": ["1", "2"], "text": ["=HYPERLINK(\"http://x\")", "- te weinig salaris"],
        "score": ["-99", "8"], "postcode_cijfers": ["0123", "1234"], "leeftijd (jaren)": ["25", ""],
        "klantnummer": ["1234567890123456789", "2"],
        "themes": ["", "salaris"], "needs_review": [1, 0], "codebook": ["kcc-mini@1.0.0"] * 2,
        "confidence": ["", ""], "th_salaris": [0, 1],
    })


def test_csv_has_a_byte_order_mark_and_the_asked_delimiter(tmp_path, tiny_codebook):
    out = tmp_path / "uit.csv"
    write_coded(coded_frame(), out, "csv", codebook=load_codebook(tiny_codebook), delimiter=";")
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid;text;score;")
    assert "'- te weinig salaris" in raw.decode("utf-8-sig") and ";-99;" in raw.decode("utf-8-sig")
    back = read_coded(out)
    assert back["text"].tolist() == coded_frame()["text"].tolist()
    assert back["score"].tolist() == ["-99", "8"]


def test_xlsx_numbers_stay_numbers_and_text_never_runs(tmp_path, tiny_codebook):
    import openpyxl

    out = tmp_path / "uit.xlsx"
    write_coded(coded_frame(), out, "xlsx", codebook=load_codebook(tiny_codebook))
    book = openpyxl.load_workbook(out)
    sheet = book["coded"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c for c in sheet[2]]))
    assert sheet.freeze_panes == "A2"
    assert row["score"].value == -99 and row["needs_review"].value == 1 and row["th_salaris"].value == 0
    assert row["postcode_cijfers"].value == "0123"  # a leading zero keeps the column text
    assert row["klantnummer"].value == "1234567890123456789"  # more digits than a number can hold
    assert row["text"].value == "=HYPERLINK(\"http://x\")" and row["text"].data_type == "s"
    assert row["text"].quotePrefix  # shown as text, stays text when edited
    assert [c.value for c in book["codebook"][1]] == ["id", "label", "description", "questions"]
    themes = {r[0].value: r for r in book["codebook"].iter_rows(min_row=2)}
    assert themes["klanten_helpen"][1].value == "Klanten helpen"
    assert themes["klanten_helpen"][3].value == "toegevoegde_waarde"
    assert read_coded(out)["text"].tolist() == coded_frame()["text"].tolist()


def test_sav_has_theme_labels_valid_names_and_reads_back_under_the_input_names(tmp_path, tiny_codebook):
    import pyreadstat

    out = tmp_path / "uit.sav"
    write_coded(coded_frame(), out, "sav", codebook=load_codebook(tiny_codebook))
    data, meta = pyreadstat.read_sav(str(out))
    assert "leeftijd_jaren" in data.columns and meta.column_names_to_labels["leeftijd_jaren"] == "leeftijd (jaren)"
    assert meta.column_names_to_labels["th_salaris"] == "Salaris en beloning"
    assert meta.variable_value_labels["th_salaris"] == {0: "niet genoemd", 1: "genoemd"}
    assert meta.readstat_variable_types["score"] == "double" and data["score"].tolist() == [-99, 8]
    assert meta.readstat_variable_types["confidence"] == "double"  # empty without a model, still a number
    assert meta.readstat_variable_types["postcode_cijfers"] == "string"
    back = read_coded(out)
    assert "leeftijd (jaren)" in back.columns
    assert back["text"].tolist() == coded_frame()["text"].tolist()
    assert back["th_salaris"].tolist() == ["0", "1"]


def test_spss_names_are_valid_and_unique():
    columns = ["leeftijd (jaren)", "leeftijd_jaren", "1e meting", "ALL", "Naam", "NAAM", "x" * 80, "café."]
    names = spss_names(columns)
    assert all(is_valid_name(n) for n in names.values())
    assert len({n.upper() for n in names.values()}) == len(columns)
    assert names["leeftijd_jaren"] == "leeftijd_jaren"  # a valid name is kept; the other one moves
    assert names["Naam"] == "Naam" and names["café."] == "cafe"


def test_sav_input_labels_come_back_in_a_sav_output(tmp_path, tiny_codebook):
    import pyreadstat

    from kcc_text.io.tables import read_whole

    source = tmp_path / "in.sav"
    pyreadstat.write_sav(pd.DataFrame({"respnr": [1.0, 2.0], "geslacht": [1.0, 2.0], "score": [7.0, -99.0]}),
                         str(source), column_labels={"geslacht": "Geslacht van de respondent"},
                         variable_value_labels={"geslacht": {1: "man", 2: "vrouw"}}, missing_ranges={"score": [-99]})
    frame, meta = read_whole(source)
    out = tmp_path / "uit.sav"
    write_coded(frame, out, "sav", codebook=load_codebook(tiny_codebook), meta=meta)
    data, back = pyreadstat.read_sav(str(out), user_missing=True)
    assert data["geslacht"].tolist() == [1, 2]
    assert back.variable_value_labels["geslacht"] == {1: "man", 2: "vrouw"}
    assert back.column_names_to_labels["geslacht"] == "Geslacht van de respondent"
    assert back.missing_ranges["score"] == [{"lo": -99.0, "hi": -99.0}]
    csv_out = tmp_path / "uit.csv"
    write_coded(frame, csv_out, "csv", codebook=load_codebook(tiny_codebook), meta=meta)
    assert read_coded(csv_out)["geslacht"].tolist() == ["man", "vrouw"]  # CSV shows the labels


def test_a_labelled_spss_question_column_is_coded_by_its_labels_and_written_back_as_codes(tmp_path, tiny_codebook):
    import pyreadstat

    from kcc_text.io.corpus import AnswerOptions, open_answers

    source = tmp_path / "lang.sav"
    pyreadstat.write_sav(pd.DataFrame({"id": [1.0, 2.0], "question": [1.0, 2.0],
                                       "text": ["Het loon is laag", "Klanten helpen"]}), str(source),
                         variable_value_labels={"question": {1: "aanbevelen", 2: "toegevoegde_waarde"}})
    answers = open_answers(source, AnswerOptions(), codebook=load_codebook(tiny_codebook))
    frame = next(answers.chunks)
    assert frame["question"].tolist() == ["aanbevelen", "toegevoegde_waarde"]  # the codebook's keys
    out = tmp_path / "uit.sav"
    write_coded(frame, out, "sav", codebook=load_codebook(tiny_codebook), meta=answers.meta)
    data, meta = pyreadstat.read_sav(str(out))
    assert data["question"].tolist() == [1, 2]
    assert meta.variable_value_labels["question"] == {1: "aanbevelen", 2: "toegevoegde_waarde"}
