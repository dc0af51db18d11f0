"""Hostile answer files: a clear error or a correct run, never a traceback or a hang.

What survey exports really contain: answers longer than Python's csv field limit, stray
NUL bytes, line endings from three systems in one file, Excel's BOM with semicolons,
workbooks with formulas or formatted down to row 1,048,576, SPSS files with thousands of
variables, and files too big to hold in memory.
"""

from __future__ import annotations

import csv
import tracemalloc

import pandas as pd
import pytest

from cli_helpers import assert_clean_error, invoke
from conftest import TINY_CODEBOOK_YAML
from spreadsheets import Formula, write_xlsx

from kcc_text.io.answers import iter_corpus, read_corpus


@pytest.fixture
def codebook(tmp_path):
    path = tmp_path / "kcc-mini.yaml"
    path.write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    return path


def code(corpus, codebook, tmp_path):
    """Run `kcc-text code`; return the result and the coded rows (None when it failed)."""
    out = tmp_path / "coded.csv"
    result = invoke("code", corpus, "--codebook", codebook, "--out", out)
    rows = pd.read_csv(out, dtype=str, keep_default_na=False) if result.exit_code == 0 else None
    return result, rows


def test_an_answer_longer_than_the_csv_field_limit_is_coded_whole(codebook, tmp_path):
    corpus = tmp_path / "lang.csv"
    long_answer = "Het salaris is veel te laag. " * 8000  # 232,000 characters; csv's limit is 131,072
    with open(corpus, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["id", "text"], ["r1", long_answer], ["r2", "Veel stress"]])
    result, rows = code(corpus, codebook, tmp_path)
    assert result.exit_code == 0, result.output
    assert rows["text"].tolist() == [long_answer, "Veel stress"]
    assert rows["themes"].tolist() == ["salaris", "werkdruk"]


@pytest.mark.parametrize("where, line", [("early", 3), ("late", 1003)])
def test_a_nul_byte_is_an_error_naming_the_line(codebook, tmp_path, where, line):
    corpus = tmp_path / "nul.csv"
    filler = b"".join(b"r%d,Het werk is leuk\n" % i for i in range(1000)) if where == "late" else b""
    corpus.write_bytes(b"id,text\nr-a,Veel stress\n" + filler + b"r-b,Het sala\x00ris is laag\n")
    result, _ = code(corpus, codebook, tmp_path)
    words = ["binary file"] if where == "early" else [f"nul.csv:{line}: holds a NUL character"]
    assert_clean_error(result, str(corpus), *words)
    assert not (tmp_path / "coded.csv").exists()


def test_mixed_line_endings_are_read_as_lines(codebook, tmp_path):
    corpus = tmp_path / "gemengd.csv"
    corpus.write_bytes(b"id,text\r\nr1,Het salaris is te laag\nr2,Veel stress\rr3,Het werk is leuk\r\n"
                       b"r4,\"Fijne collega's,\r\nen een goed team\"\n")
    result, rows = code(corpus, codebook, tmp_path)
    assert result.exit_code == 0, result.output
    assert rows["id"].tolist() == ["r1", "r2", "r3", "r4"]
    assert rows["themes"].tolist() == ["salaris", "werkdruk", "leuk_werk", "collegas"]
    assert rows["text"].iloc[3] == "Fijne collega's,\r\nen een goed team"


def test_excel_csv_with_bom_and_semicolons(codebook, tmp_path):
    corpus = tmp_path / "excel.csv"
    corpus.write_bytes("id;text;leeftijd\r\nr1;Het salaris is laag, echt;25-34\r\nr2;Veel stress;35-44\r\n"
                       .encode("utf-8-sig"))
    result, rows = code(corpus, codebook, tmp_path)
    assert result.exit_code == 0, result.output
    assert list(rows.columns[:3]) == ["id", "text", "leeftijd"]  # no BOM glued to "id"
    assert rows["text"].tolist() == ["Het salaris is laag, echt", "Veel stress"]
    assert rows["themes"].tolist() == ["salaris", "werkdruk"]


def test_xlsx_formulas_are_read_as_their_saved_results(codebook, tmp_path):
    corpus = tmp_path / "formules.xlsx"
    write_xlsx(corpus, [["id", "text"], ["r1", Formula('"Het salaris "&"is te laag"', "Het salaris is te laag")],
                        ["r2", Formula("=HYPERLINK(\"http://x\")", "Veel stress")]])
    result, rows = code(corpus, codebook, tmp_path)
    assert result.exit_code == 0, result.output
    assert rows["text"].tolist() == ["Het salaris is te laag", "Veel stress"]
    assert rows["themes"].tolist() == ["salaris", "werkdruk"]


def test_xlsx_formula_without_a_saved_result_is_an_error_naming_the_cell(codebook, tmp_path):
    """openpyxl (and other scripts) store formulas without results: the answer would silently be empty."""
    import openpyxl

    corpus = tmp_path / "script.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "text"])
    sheet.append(["r1", "Het salaris is te laag"])
    sheet.append(["r2", '=CONCATENATE("Veel ", "stress")'])
    book.save(corpus)
    result, _ = code(corpus, codebook, tmp_path)
    assert_clean_error(result, str(corpus), "cell B3 holds a formula without a saved result")


def test_xlsx_formatted_down_a_million_rows_is_read_without_walking_them(codebook, tmp_path):
    from kcc_text.io.xlsx_scan import check_first_sheet

    corpus = tmp_path / "opgemaakt.xlsx"
    write_xlsx(corpus, [["id", "text"], ["r1", "Het salaris is te laag"], ["r2", "Veel stress"]],
               formatted_empty_rows=1_000_000)
    assert check_first_sheet(corpus) == 3  # the reader stops there: walking every formatted row took a minute
    result, rows = code(corpus, codebook, tmp_path)
    assert result.exit_code == 0, result.output
    assert rows["id"].tolist() == ["r1", "r2"] and rows["themes"].tolist() == ["salaris", "werkdruk"]


def test_spss_file_with_5000_variables(codebook, tmp_path):
    import pyreadstat

    columns = {"id": ["r1", "r2", "r3"], "text": ["Het salaris is te laag", "Veel stress", ""]}
    columns.update({f"v{i}": [1.0, 2.0, float(i)] for i in range(4998)})
    corpus = tmp_path / "breed.sav"
    pyreadstat.write_sav(pd.DataFrame(columns), str(corpus))
    result, rows = code(corpus, codebook, tmp_path)
    assert result.exit_code == 0, result.output
    assert rows["themes"].tolist() == ["salaris", "werkdruk", ""]
    assert rows.shape[1] >= 5000 and rows["v4997"].tolist() == ["1", "2", "4997"]  # metadata passes through


def _write_answers(path, n):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("id,text,wave\n")
        for i in range(n):
            fh.write(f"r{i},Het salaris is veel te laag en de werkdruk is hoog ({i}),2020\n")


def _peak_bytes(read) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_big_csv_is_read_in_chunks_with_flat_memory(tmp_path):
    """Stand-in for a 1 GB export: memory while streaming stays flat as the file grows, while reading
    it whole grows with it."""
    small, large = tmp_path / "klein.csv", tmp_path / "groot.csv"
    _write_answers(small, 10_000)
    _write_answers(large, 40_000)  # 2.8 MB

    def stream(path):
        sizes = [len(chunk) for chunk in iter_corpus(path, chunk_size=1000)]
        assert sum(sizes) == (10_000 if path == small else 40_000) and max(sizes) == 1000

    streamed_small = _peak_bytes(lambda: stream(small))
    streamed_large = _peak_bytes(lambda: stream(large))
    whole_small = _peak_bytes(lambda: read_corpus(small))
    assert streamed_large < 1.5 * streamed_small  # four times the answers, about the same memory
    assert streamed_large < whole_small  # the large file streamed needs less than the small one read whole
    assert streamed_large < large.stat().st_size
