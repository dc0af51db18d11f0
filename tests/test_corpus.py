"""Reading answer files: encodings, delimiters, XLSX and SPSS, column mapping, clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

from kcc_text.io.answers import ColumnMap, read_corpus
from kcc_text.errors import InputFileError


def write_bytes(path, data: bytes):
    path.write_bytes(data)
    return path


def test_reads_tiny_corpus_in_input_order_with_metadata_unchanged(tiny_corpus):
    frame = read_corpus(tiny_corpus)
    assert list(frame.columns) == ["id", "text", "wave", "question", "respondent_id", "leeftijd"]
    assert frame["id"].tolist() == ["r1", "r2", "r3", "r4", "r5"]
    assert frame["respondent_id"].tolist()[0] == "007"
    assert frame["leeftijd"].tolist()[0] == "25-34"


def test_empty_text_is_a_valid_answer(tiny_corpus):
    frame = read_corpus(tiny_corpus)
    assert frame.loc[frame["id"] == "r4", "text"].item() == ""


def test_utf8_with_bom(tmp_path):
    path = write_bytes(tmp_path / "bom.csv", "id,text\n1,Geërgerd aan de wachttijd\n".encode("utf-8-sig"))
    frame = read_corpus(path)
    assert list(frame.columns) == ["id", "text"]
    assert frame["text"].item() == "Geërgerd aan de wachttijd"


def test_windows_1252(tmp_path):
    path = write_bytes(tmp_path / "excel.csv", "id;text\n1;Café is te ver\n2;Geërgerd\n".encode("cp1252"))
    frame = read_corpus(path)
    assert frame["text"].tolist() == ["Café is te ver", "Geërgerd"]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_delimiters(tmp_path, sep):
    # The texts hold the other delimiters, as Dutch answers do.
    rows = [["id", "text", "leeftijd"], ["1", "Loon, werkdruk; stress", "25"], ["2", "Fijne collega's", "30"]]
    quoted = [[f'"{c}"' if ("," in c or ";" in c) else c for c in row] for row in rows]
    path = tmp_path / "antwoorden.csv"
    path.write_text("\n".join(sep.join(r) for r in quoted) + "\n", encoding="utf-8")
    frame = read_corpus(path)
    assert list(frame.columns) == ["id", "text", "leeftijd"]
    assert frame["text"].tolist() == ["Loon, werkdruk; stress", "Fijne collega's"]
    assert frame["leeftijd"].tolist() == ["25", "30"]


def test_semicolon_file_with_commas_in_unquoted_text(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id;text\n1;loon, werkdruk, stress\n2;collega, team, sfeer\n", encoding="utf-8")
    assert read_corpus(path)["text"].tolist() == ["loon, werkdruk, stress", "collega, team, sfeer"]


def test_xlsx(tmp_path):
    path = tmp_path / "antwoorden.xlsx"
    pd.DataFrame({"id": ["a1", "a2"], "text": ["Het salaris is laag", None],
                  "respondent_id": ["007", "008"], "leeftijd": [25, 31]}).to_excel(
        path, index=False, engine="openpyxl")
    frame = read_corpus(path)
    assert frame["id"].tolist() == ["a1", "a2"]
    assert frame["text"].tolist() == ["Het salaris is laag", ""]
    assert frame["respondent_id"].tolist() == ["007", "008"]
    assert frame["leeftijd"].tolist() == ["25", "31"]


def test_xlsx_cells_reading_na_or_none_are_data(tmp_path):
    path = tmp_path / "antwoorden.xlsx"
    pd.DataFrame({"id": ["1", "2"], "text": ["NA", "None"], "land": ["NA", "NL"]}).to_excel(
        path, index=False, engine="openpyxl")
    frame = read_corpus(path)
    assert frame["text"].tolist() == ["NA", "None"]
    assert frame["land"].tolist() == ["NA", "NL"]


def test_spss_sav(tmp_path):
    import pyreadstat

    path = tmp_path / "antwoorden.sav"
    data = pd.DataFrame({"id": ["b1", "b2", "b3"], "text": ["Veel stress", "", "Leuk werk"],
                         "respondent_id": ["007", "008", "009"], "leeftijd": [25.0, 31.0, 47.0]})
    pyreadstat.write_sav(data, str(path))
    frame = read_corpus(path)
    assert frame["id"].tolist() == ["b1", "b2", "b3"]
    assert frame["text"].tolist() == ["Veel stress", "", "Leuk werk"]
    assert frame["respondent_id"].tolist() == ["007", "008", "009"]
    assert frame["leeftijd"].tolist() == ["25", "31", "47"]


def test_column_mapping(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("resp;antwoord;meting;vraag;regio\nx1;Te veel werk;2020-1;aanbevelen;Noord\n",
                    encoding="utf-8")
    frame = read_corpus(path, ColumnMap(id="resp", text="antwoord", wave="meting", question="vraag"))
    assert list(frame.columns) == ["id", "text", "wave", "question", "regio"]
    assert frame.iloc[0].tolist() == ["x1", "Te veel werk", "2020-1", "aanbevelen", "Noord"]


def test_mapped_column_that_is_missing_names_the_column(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,text\n1,loon\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="meting") as info:
        read_corpus(path, ColumnMap(wave="meting"))
    assert "export.csv" in str(info.value)


def test_id_and_metadata_stay_text(tmp_path):
    path = tmp_path / "antwoorden.csv"
    path.write_text("id,text,postcode,score\n007,Prima,0123,7.50\n010,Matig,,8\n", encoding="utf-8")
    frame = read_corpus(path)
    assert frame["id"].tolist() == ["007", "010"]
    assert frame["postcode"].tolist() == ["0123", ""]
    assert frame["score"].tolist() == ["7.50", "8"]


def test_missing_text_cell_becomes_empty_text(tmp_path):
    path = tmp_path / "antwoorden.csv"
    path.write_text("id,text,wave\n1,,voorjaar\n2,NA,voorjaar\n", encoding="utf-8")
    # "NA" is a respondent's answer here, not a missing value.
    assert read_corpus(path)["text"].tolist() == ["", "NA"]


@pytest.mark.parametrize("name, content, problem", [
    ("leeg.csv", b"", "empty"),
    ("spaties.csv", b"  \n\n", "empty"),
    ("binair.csv", b"id,text\n\x00\x01\x02\x00", "binary"),
    ("vermomd.csv", b"PK\x03\x04" + b"\x00" * 40, "xlsx"),
])
def test_unreadable_files_name_the_file(tmp_path, name, content, problem):
    path = write_bytes(tmp_path / name, content)
    with pytest.raises(InputFileError) as info:
        read_corpus(path)
    assert name in str(info.value)
    assert problem in str(info.value).lower()


def test_real_xlsx_with_csv_name(tmp_path):
    real = tmp_path / "echt.xlsx"
    pd.DataFrame({"id": ["1"], "text": ["loon"]}).to_excel(real, index=False, engine="openpyxl")
    path = write_bytes(tmp_path / "antwoorden.csv", real.read_bytes())
    with pytest.raises(InputFileError, match="xlsx") as info:
        read_corpus(path)
    assert "antwoorden.csv" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="not found") as info:
        read_corpus(tmp_path / "weg.csv")
    assert "weg.csv" in str(info.value)


def test_damaged_xlsx_and_sav(tmp_path):
    for name in ("kapot.xlsx", "kapot.sav"):
        path = write_bytes(tmp_path / name, b"dit is geen werkmap")
        with pytest.raises(InputFileError) as info:
            read_corpus(path)
        assert name in str(info.value)


@pytest.mark.parametrize("header, role", [("nummer,text", "id"), ("id,antwoord", "text")])
def test_missing_id_or_text_column(tmp_path, header, role):
    path = tmp_path / "antwoorden.csv"
    path.write_text(f"{header}\n1,loon\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_corpus(path)
    message = str(info.value)
    assert "antwoorden.csv" in message and f"missing {role} column" in message


def test_duplicate_ids(tmp_path):
    path = tmp_path / "antwoorden.csv"
    path.write_text("id,text\n1,loon\n2,stress\n1,collega's\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_corpus(path)
    assert "antwoorden.csv" in str(info.value) and "duplicate id '1'" in str(info.value)


def test_empty_id_names_file_and_line(tmp_path):
    path = tmp_path / "antwoorden.csv"
    path.write_text("id,text\n1,loon\n ,stress\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_corpus(path)
    assert str(info.value).startswith(f"{path}:3: ")
    assert "empty id" in str(info.value)


def test_iter_corpus_chunks_keep_order_and_find_duplicates_across_chunks(tmp_path):
    from kcc_text.io.answers import iter_corpus

    path = tmp_path / "antwoorden.csv"
    path.write_text("id,text\n1,loon\n2,stress\n3,collega\n4,team\n5,klant\n", encoding="utf-8")
    chunks = list(iter_corpus(path, chunk_size=2))
    assert [c["id"].tolist() for c in chunks] == [["1", "2"], ["3", "4"], ["5"]]
    path.write_text("id,text\n1,loon\n2,stress\n3,collega\n1,team\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        list(iter_corpus(path, chunk_size=2))
    assert str(info.value).startswith(f"{path}:5: ") and "duplicate id '1'" in str(info.value)


@pytest.mark.parametrize("content, detail", [
    ("id,text\n1,loon\n2,stress,extra\n", "line 3"),
    ('id,text\n1,"loon\n2,stress\n', "EOF inside string"),
])
def test_malformed_csv(tmp_path, content, detail):
    path = tmp_path / "kapot.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_corpus(path)
    assert str(info.value).startswith(f"{path}: is not valid CSV") and detail in str(info.value)


def test_short_rows_get_empty_cells(tmp_path):
    path = tmp_path / "antwoorden.csv"
    path.write_text("id;text;wave\n1;loon\n2;stress;najaar\n", encoding="utf-8")
    assert read_corpus(path)["wave"].tolist() == ["", "najaar"]
