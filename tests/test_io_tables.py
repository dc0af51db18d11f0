"""Reading researchers' own files: Qualtrics exports, sheets, header rows, UTF-16 text and SPSS labels."""

from __future__ import annotations

import pandas as pd
import pytest

from kcc_text.errors import InputFileError, UsageError
from kcc_text.io.tables import TableOptions, open_table, read_whole

QUALTRICS_ROWS = [
    ["ResponseId", "Q1", "Q2"],
    ["Response ID", "Wat is de toegevoegde waarde van het KCC?", "Zou u werken bij het KCC aanbevelen?"],
    ['{"ImportId":"_recordId"}', '{"ImportId":"QID1_TEXT"}', '{"ImportId":"QID2_TEXT"}'],
    ["R_1", "Klanten helpen", "Het salaris is te laag"],
    ["R_2", "", "Veel stress"],
]


def write_qualtrics_csv(path):
    pd.DataFrame(QUALTRICS_ROWS[1:], columns=QUALTRICS_ROWS[0]).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def write_qualtrics_xlsx(path):
    pd.DataFrame(QUALTRICS_ROWS[1:], columns=QUALTRICS_ROWS[0]).to_excel(path, index=False, sheet_name="Export")
    return path


@pytest.mark.parametrize("writer", [write_qualtrics_csv, write_qualtrics_xlsx])
def test_qualtrics_header_rows_are_not_answers(writer, tmp_path):
    path = writer(tmp_path / ("export.csv" if writer is write_qualtrics_csv else "export.xlsx"))
    frame, meta = read_whole(path)
    assert frame["ResponseId"].tolist() == ["R_1", "R_2"]
    assert frame["Q2"].tolist() == ["Het salaris is te laag", "Veel stress"]
    assert len(meta.notices) == 1 and "Qualtrics" in meta.notices[0] and "skipped" in meta.notices[0]
    # The question texts are kept: they become the variable labels of an SPSS output.
    assert meta.variable_labels["Q1"] == "Wat is de toegevoegde waarde van het KCC?"
    assert meta.first_line == 4


def test_explicit_skip_rows_zero_keeps_every_row(tmp_path):
    path = write_qualtrics_csv(tmp_path / "export.csv")
    frame, meta = read_whole(path, TableOptions(skip_rows=0))
    assert len(frame) == 4 and meta.notices == []


def test_header_row_and_skip_rows(tmp_path):
    path = tmp_path / "rapport.csv"
    path.write_text("Enquête KCC 2020\nexport van 3 maart\nnr,antwoord\n(nummer),(open vraag)\n1,Te veel werk\n"
                    "2,Fijne collega's\n", encoding="utf-8")
    frame, meta = read_whole(path, TableOptions(header_row=3, skip_rows=1))
    assert list(frame.columns) == ["nr", "antwoord"]
    assert frame["antwoord"].tolist() == ["Te veel werk", "Fijne collega's"]
    assert meta.first_line == 5


def test_header_row_in_chunks_skips_the_same_rows(tmp_path):
    path = tmp_path / "rapport.csv"
    path.write_text("titel\nnr,antwoord\nuitleg,uitleg\n" + "".join(f"{i},antwoord {i}\n" for i in range(7)),
                    encoding="utf-8")
    chunks = list(open_table(path, TableOptions(header_row=2, skip_rows=1), chunk_size=3).chunks)
    assert pd.concat(chunks)["nr"].tolist() == [str(i) for i in range(7)]


def test_sheet_by_name_and_unknown_sheet(tmp_path):
    path = tmp_path / "enquete.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"uitleg": ["lees mij"]}).to_excel(writer, sheet_name="Toelichting", index=False)
        pd.DataFrame({"id": [1, 2], "text": ["Het loon is laag", "Leuk werk"]}).to_excel(
            writer, sheet_name="Antwoorden", index=False)
    frame, _ = read_whole(path, TableOptions(sheet="Antwoorden"))
    assert frame.values.tolist() == [["1", "Het loon is laag"], ["2", "Leuk werk"]]
    with pytest.raises(InputFileError) as info:
        read_whole(path, TableOptions(sheet="Data"))
    assert "no sheet 'Data'" in str(info.value) and "Toelichting, Antwoorden" in str(info.value)


def test_sheet_option_on_a_csv_is_refused(tiny_corpus):
    with pytest.raises(UsageError, match="sheet is for XLSX"):
        read_whole(tiny_corpus, TableOptions(sheet="Blad1"))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_tab_separated_unicode_text(encoding, tmp_path):
    path = tmp_path / "export.txt"
    text = "id\ttext\tgemeente\r\n1\tTe veel werk, geen tijd voor een café\t's-Hertogenbosch\r\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    frame, _ = read_whole(path)
    assert frame.values.tolist() == [["1", "Te veel werk, geen tijd voor een café", "'s-Hertogenbosch"]]


def test_binary_file_is_still_refused(tmp_path):
    path = tmp_path / "kapot.csv"
    path.write_bytes(b"id,text\n\x00\x01\x02")
    with pytest.raises(InputFileError, match="binary"):
        read_whole(path)


def test_spss_input_keeps_codes_labels_and_missing_values(tmp_path):
    import pyreadstat

    path = tmp_path / "enquete.sav"
    frame = pd.DataFrame({"respnr": [1.0, 2.0], "geslacht": [1.0, 2.0], "score": [7.0, -99.0],
                          "open": ["Het salaris is laag", "Veel stress"]})
    pyreadstat.write_sav(frame, str(path), column_labels={"open": "Waarom wel of niet aanbevelen?"},
                         variable_value_labels={"geslacht": {1: "man", 2: "vrouw"}},
                         missing_ranges={"score": [-99]})
    rows, meta = read_whole(path)
    assert rows["geslacht"].tolist() == ["1", "2"]
    assert rows["score"].tolist() == ["7", "-99"]  # a declared missing value is not lost
    assert meta.value_labels["geslacht"] == {"1": "man", "2": "vrouw"}
    assert meta.variable_labels["open"] == "Waarom wel of niet aanbevelen?"
    assert meta.numeric == {"respnr", "geslacht", "score"}
    assert "score" in meta.missing_ranges


def test_header_row_is_refused_for_spss(tmp_path):
    import pyreadstat

    path = tmp_path / "enquete.sav"
    pyreadstat.write_sav(pd.DataFrame({"id": [1.0], "text": ["loon"]}), str(path))
    with pytest.raises(UsageError, match="header"):
        read_whole(path, TableOptions(header_row=2))
