"""`kcc-text code`: the coded CSV, the summary line, and clean errors (exit 2, one line, no output)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner


from cli_helpers import assert_clean_error, invoke

runner = CliRunner()




def files_in(folder):
    return sorted(p.name for p in folder.iterdir())


def test_code_writes_coded_csv_and_summary(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Coded 5 answers with kcc-mini@1.0.0 (3 with a theme, 1 to review)" in result.stdout
    coded = pd.read_csv(out, dtype=str, keep_default_na=False)
    columns = list(coded.columns)
    assert columns[:9] == ["id", "text", "wave", "question", "respondent_id", "leeftijd",
                           "themes", "needs_review", "codebook"]
    assert "th_salaris" in columns and "src_salaris" in columns
    assert coded["id"].tolist() == ["r1", "r2", "r3", "r4", "r5"]
    assert coded["themes"].tolist() == ["salaris", "werkdruk", "", "", "klanten_helpen"]
    assert coded["respondent_id"].tolist()[0] == "007"
    assert set(coded["codebook"]) == {"kcc-mini@1.0.0"}


def test_code_with_mapped_columns_and_semicolons(tiny_codebook, tmp_path):
    corpus = tmp_path / "export.csv"
    corpus.write_bytes("nr;antwoord;meting\n1;Te veel werk, geen tijd voor een café;2020\n".encode("cp1252"))
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", corpus, "-c", tiny_codebook, "-o", out, "--id-col", "nr", "--text-col", "antwoord",
                    "--wave-col", "meting")
    assert result.exit_code == 0, result.output
    coded = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert coded[["id", "wave", "themes"]].values.tolist() == [["1", "2020", "werkdruk"]]
    assert coded["text"].item() == "Te veel werk, geen tijd voor een café"


def test_missing_corpus(tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", tmp_path / "weg.csv", "--codebook", tiny_codebook, "--out", out)
    assert_clean_error(result, "weg.csv", "not found")
    assert not out.exists()


def test_invalid_codebook(tiny_corpus, tmp_path):
    codebook = tmp_path / "kapot.yaml"
    codebook.write_text("codebook: t\nversion: 1.0.0\nthemes:\n  - id: Salaris\n    label: Salaris\n",
                        encoding="utf-8")
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", tiny_corpus, "--codebook", codebook, "--out", out)
    assert_clean_error(result, f"{codebook}:4:", "Salaris")
    assert not out.exists()


def test_output_path_equal_to_input_is_refused(tiny_corpus, tiny_codebook):
    before = tiny_corpus.read_bytes()
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", tiny_corpus)
    assert_clean_error(result, "antwoorden.csv")
    assert tiny_corpus.read_bytes() == before


def test_output_path_equal_to_input_spelled_differently(tiny_corpus, tiny_codebook, monkeypatch):
    monkeypatch.chdir(tiny_corpus.parent)
    before = tiny_corpus.read_bytes()
    other_spelling = f"../{tiny_corpus.parent.name}/./antwoorden.csv"
    result = invoke("code", "antwoorden.csv", "--codebook", tiny_codebook, "--out", other_spelling)
    assert_clean_error(result, "same file as the input")
    assert tiny_corpus.read_bytes() == before


def test_output_over_codebook_is_refused(tiny_corpus, tiny_codebook):
    before = tiny_codebook.read_bytes()
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", tiny_codebook)
    assert_clean_error(result, "kcc-mini.yaml")
    assert tiny_codebook.read_bytes() == before


def test_target_precision_without_model(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", out, "--target-precision", "0.9")
    assert_clean_error(result, "--model")
    assert not out.exists()


def test_duplicate_ids(tiny_codebook, tmp_path):
    corpus = tmp_path / "dubbel.csv"
    corpus.write_text("id,text\n1,loon\n2,stress\n1,collega\n", encoding="utf-8")
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", corpus, "--codebook", tiny_codebook, "--out", out)
    assert_clean_error(result, "dubbel.csv", "duplicate id '1'")
    assert files_in(tmp_path) == ["dubbel.csv", "kcc-mini.yaml"]  # nothing half-written


def test_missing_text_column(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", out, "--text-col", "antwoord")
    assert_clean_error(result, "antwoorden.csv", "antwoord")
    assert not out.exists()


def test_spacy_model_not_installed(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", out,
                    "--spacy-model", "nl_core_news_xx_niet_geinstalleerd")
    assert_clean_error(result, "nl_core_news_xx_niet_geinstalleerd")
    assert not out.exists()


def test_failed_run_keeps_an_earlier_output(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    out.write_text("vorige run\n", encoding="utf-8")
    bad = tmp_path / "dubbel.csv"
    bad.write_text("id,text\n1,loon\n1,stress\n", encoding="utf-8")
    result = invoke("code", bad, "--codebook", tiny_codebook, "--out", out)
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "vorige run\n"


@pytest.mark.parametrize("entry", [["-m", "kcc_text"]])
def test_real_command_reports_error_without_traceback(entry, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    proc = subprocess.run([sys.executable, *entry, "code", str(tmp_path / "weg.csv"), "--codebook",
                           str(tiny_codebook), "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"error: {tmp_path / 'weg.csv'}: file not found"]
    assert not out.exists()


def test_output_folder_missing(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "bestaat-niet" / "gecodeerd.csv"
    result = invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", out)
    assert_clean_error(result, str(out), "does not exist")


def test_input_column_named_like_output_column(tiny_codebook, tmp_path):
    corpus = tmp_path / "antwoorden.csv"
    corpus.write_text("id,text,themes\n1,loon,oud\n", encoding="utf-8")
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", corpus, "--codebook", tiny_codebook, "--out", out)
    assert_clean_error(result, "themes")
    assert not out.exists()


# --- researchers' own files: wide and Qualtrics exports, XLSX and SPSS out (issue 12) ---------------------------

WIDE = ("respondent,leeftijd,Q1,Q2,score\n"
        "r1,25-34,Klanten helpen met hun vragen,Het salaris is te laag,-99\n"
        "r2,007,,Veel stress en te veel werk,8\n")
WIDE_COLS = ("--id-col", "respondent", "--text-col", "Q1=toegevoegde_waarde", "--text-col", "Q2=aanbevelen")


def read_out(path):
    from kcc_text.io.coded import read_coded

    return read_coded(path)


@pytest.fixture
def wide_file(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(WIDE, encoding="utf-8")
    return path


def test_text_col_twice_codes_both_columns_each_under_its_question(wide_file, tiny_codebook, tmp_path):
    out = tmp_path / "lang.csv"
    result = invoke("code", wide_file, "-c", tiny_codebook, "-o", out, *WIDE_COLS)
    assert result.exit_code == 0, result.output
    assert "Coded 4 answers" in result.stdout
    coded = read_out(out)
    assert coded[["id", "question", "themes"]].values.tolist() == [
        ["r1", "toegevoegde_waarde", "klanten_helpen"], ["r1", "aanbevelen", "salaris"],
        ["r2", "toegevoegde_waarde", ""], ["r2", "aanbevelen", "werkdruk"]]
    # Input names are kept: the respondent column is there as well as the contract's id.
    assert {"respondent", "leeftijd", "score"} <= set(coded.columns)
    assert coded["leeftijd"].tolist()[2] == "007" and coded["score"].tolist()[0] == "-99"


def test_question_option_limits_themes_to_that_question(tiny_codebook, tmp_path):
    corpus = tmp_path / "aanbevelen.csv"
    corpus.write_text("id,text\n1,Je kunt klanten echt helpen\n", encoding="utf-8")
    out = tmp_path / "uit.csv"
    # klanten_helpen applies to toegevoegde_waarde only: without --question every theme would apply.
    assert invoke("code", corpus, "-c", tiny_codebook, "-o", out).exit_code == 0
    assert read_out(out)["themes"].tolist() == ["klanten_helpen"]
    result = invoke("code", corpus, "-c", tiny_codebook, "-o", out, "--question", "aanbevelen")
    assert result.exit_code == 0, result.output
    assert read_out(out)[["question", "themes"]].values.tolist() == [["aanbevelen", ""]]


def test_wide_output_one_row_per_respondent(wide_file, tiny_codebook, tmp_path):
    out = tmp_path / "breed.csv"
    result = invoke("code", wide_file, "-c", tiny_codebook, "-o", out, *WIDE_COLS, "--wide")
    assert result.exit_code == 0, result.output
    assert "2 respondents" in result.stdout
    coded = read_out(out)
    assert coded["id"].tolist() == ["r1", "r2"]
    assert list(coded.columns)[:6] == ["id", "respondent", "leeftijd", "Q1", "Q2", "score"]
    assert coded["Q2"].tolist() == ["Het salaris is te laag", "Veel stress en te veel werk"]
    assert coded["aanbevelen__salaris"].tolist() == ["1", "0"]
    assert coded["aanbevelen__werkdruk"].tolist() == ["0", "1"]
    assert coded["toegevoegde_waarde__klanten_helpen"].tolist() == ["1", "0"]
    assert "aanbevelen__klanten_helpen" not in coded.columns  # the theme does not apply there
    assert coded["toegevoegde_waarde__needs_review"].tolist() == ["0", "0"]


def test_wide_without_questions_is_exit_2(tiny_codebook, tmp_path):
    corpus = tmp_path / "a.csv"
    corpus.write_text("id,text\n1,loon\n", encoding="utf-8")
    out = tmp_path / "uit.csv"
    result = invoke("code", corpus, "-c", tiny_codebook, "-o", out, "--wide")
    assert_clean_error(result, "--wide", "question")
    assert not out.exists()


@pytest.mark.parametrize("extra, words", [
    (("--text-col", "Q1=toegevoegde_waarde", "--text-col", "Q2=aanbeveln"), ["'aanbeveln'", "--text-col"]),
    (("--text-col", "Q2", "--question", "aanbeveln"), ["'aanbeveln'", "--question"]),
])
def test_unknown_question_key_in_options_is_exit_2(wide_file, tiny_codebook, tmp_path, extra, words):
    out = tmp_path / "uit.csv"
    result = invoke("code", wide_file, "-c", tiny_codebook, "-o", out, "--id-col", "respondent", *extra)
    assert_clean_error(result, *words, "aanbevelen, toegevoegde_waarde")
    assert files_in(tmp_path) == ["kcc-mini.yaml", "wide.csv"]


def test_unknown_question_key_in_a_later_chunk_writes_nothing(tiny_codebook, tmp_path):
    from kcc_text.errors import InputFileError
    from kcc_text.jobs import code_corpus_file

    corpus = tmp_path / "antwoorden.csv"
    corpus.write_text("id,text,question\n1,loon,aanbevelen\n2,stress,aanbevelen\n3,collega,werksfeer\n",
                      encoding="utf-8")
    out = tmp_path / "uit.csv"
    with pytest.raises(InputFileError) as info:
        code_corpus_file(corpus, tiny_codebook, out, chunk_size=2)
    assert "antwoorden.csv:4" in str(info.value) and "'werksfeer'" in str(info.value)
    assert files_in(tmp_path) == ["antwoorden.csv", "kcc-mini.yaml"]


def test_qualtrics_export_is_recognised_with_a_notice(tiny_codebook, tmp_path):
    from test_io_tables import write_qualtrics_xlsx

    export = write_qualtrics_xlsx(tmp_path / "qualtrics.xlsx")
    out = tmp_path / "uit.csv"
    result = invoke("code", export, "-c", tiny_codebook, "-o", out, "--id-col", "ResponseId",
                    "--text-col", "Q1=toegevoegde_waarde", "--text-col", "Q2=aanbevelen")
    assert result.exit_code == 0, result.output
    notes = result.stderr.strip().splitlines()
    assert len(notes) == 1 and notes[0].startswith("note: qualtrics.xlsx: Qualtrics export recognised")
    coded = read_out(out)
    assert coded["id"].tolist() == ["R_1", "R_1", "R_2", "R_2"]
    assert "ImportId" not in " ".join(coded["text"])


def test_sheet_and_header_row_options(tiny_codebook, tmp_path):
    workbook = tmp_path / "enquete.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        pd.DataFrame({"a": ["lees mij eerst"]}).to_excel(writer, sheet_name="Uitleg", index=False)
        pd.DataFrame([["Enquête 2020", ""], ["nr", "antwoord"], [1, "Het loon is laag"]]).to_excel(
            writer, sheet_name="Data", index=False, header=False)
    out = tmp_path / "uit.csv"
    result = invoke("code", workbook, "-c", tiny_codebook, "-o", out, "--sheet", "Data", "--header-row", "2",
                    "--id-col", "nr", "--text-col", "antwoord")
    assert result.exit_code == 0, result.output
    assert read_out(out)[["id", "themes"]].values.tolist() == [["1", "salaris"]]


def test_utf16_unicode_text_export_is_coded(tiny_codebook, tmp_path):
    corpus = tmp_path / "unicode.txt"
    corpus.write_bytes("id\ttext\r\n1\tTe veel werk, geen tijd voor een café\r\n".encode("utf-16"))
    out = tmp_path / "uit.csv"
    result = invoke("code", corpus, "-c", tiny_codebook, "-o", out)
    assert result.exit_code == 0, result.output
    assert read_out(out)[["text", "themes"]].values.tolist() == [["Te veel werk, geen tijd voor een café",
                                                                  "werkdruk"]]


def test_csv_output_opens_in_excel_with_semicolons(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "uit.csv"
    result = invoke("code", tiny_corpus, "-c", tiny_codebook, "-o", out, "--delimiter", ";")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith("\ufeffid;text;wave;question;".encode("utf-8"))


def test_formula_defusing_leaves_numbers_and_undoes_on_reading(tiny_codebook, tmp_path):
    corpus = tmp_path / "antwoorden.csv"
    corpus.write_text("id,text,score\n1,- te weinig salaris,-99\n2,=1+1,-1\n", encoding="utf-8")
    out = tmp_path / "uit.csv"
    assert invoke("code", corpus, "-c", tiny_codebook, "-o", out).exit_code == 0
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1].startswith("1,'- te weinig salaris,-99,") and lines[2].startswith("2,'=1+1,-1,")
    assert read_out(out)[["text", "score"]].values.tolist() == [["- te weinig salaris", "-99"], ["=1+1", "-1"]]


def test_xlsx_and_sav_outputs_are_what_their_names_say(wide_file, tiny_codebook, tmp_path):
    import openpyxl
    import pyreadstat

    xlsx, sav = tmp_path / "uit.xlsx", tmp_path / "uit.sav"
    assert invoke("code", wide_file, "-c", tiny_codebook, "-o", xlsx, *WIDE_COLS).exit_code == 0
    assert invoke("code", wide_file, "-c", tiny_codebook, "-o", sav, *WIDE_COLS, "--wide").exit_code == 0
    assert xlsx.read_bytes()[:2] == b"PK" and openpyxl.load_workbook(xlsx).sheetnames == ["coded", "codebook"]
    data, meta = pyreadstat.read_sav(str(sav))
    assert data["aanbevelen__salaris"].tolist() == [1, 0]
    assert meta.column_names_to_labels["aanbevelen__salaris"] == (
        "Zou u werken bij het KCC aanbevelen, en waarom?: Salaris en beloning")
    assert meta.variable_value_labels["aanbevelen__salaris"] == {0: "niet genoemd", 1: "genoemd"}


def test_unknown_output_extension_is_exit_2(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "uit.txt"
    result = invoke("code", tiny_corpus, "-c", tiny_codebook, "-o", out)
    assert_clean_error(result, "uit.txt", ".csv, .xlsx, .sav")
    assert not out.exists()


def test_spss_in_spss_out_keeps_the_labels(tiny_codebook, tmp_path):
    import pyreadstat

    source = tmp_path / "enquete.sav"
    pyreadstat.write_sav(pd.DataFrame({"respnr": [1.0, 2.0], "geslacht": [1.0, 2.0],
                                       "open_antw": ["Het salaris is te laag", "Veel stress"]}), str(source),
                         column_labels={"open_antw": "Waarom wel of niet aanbevelen?"},
                         variable_value_labels={"geslacht": {1: "man", 2: "vrouw"}})
    out = tmp_path / "gecodeerd.sav"
    result = invoke("code", source, "-c", tiny_codebook, "-o", out, "--id-col", "respnr", "--text-col",
                    "open_antw", "--question", "aanbevelen")
    assert result.exit_code == 0, result.output
    data, meta = pyreadstat.read_sav(str(out))
    assert meta.column_names_to_labels["open_antw"] == "Waarom wel of niet aanbevelen?"
    assert meta.variable_value_labels["geslacht"] == {1: "man", 2: "vrouw"}
    assert data["geslacht"].tolist() == [1, 2] and data["th_salaris"].tolist() == [1, 0]
    assert meta.column_names_to_labels["th_werkdruk"] == "Werkdruk"
    csv_out = tmp_path / "gecodeerd.csv"
    assert invoke("code", source, "-c", tiny_codebook, "-o", csv_out, "--id-col", "respnr", "--text-col",
                  "open_antw").exit_code == 0
    assert read_out(csv_out)["geslacht"].tolist() == ["man", "vrouw"]


# --- code --audit: the cut-off chosen on a hand-coded random sample ------------------------------------


@pytest.fixture(scope="module")
def audited_setup(tmp_path_factory):
    """A model trained on the tiny training set, and those answers to code again with an audit of 30."""
    from conftest import TINY_CODEBOOK_YAML
    from training_data import ANSWERS, write_training_files

    folder = tmp_path_factory.mktemp("audit")
    codebook = folder / "kcc-mini.yaml"
    codebook.write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    corpus, labels = write_training_files(folder)
    model = folder / "model.skops"
    assert invoke("train", corpus, labels, "--codebook", codebook, "--out", model).exit_code == 0
    audit = folder / "audit.labels.csv"
    audited = [a for a in ANSWERS if a[3]][:30]  # answers with words: `sample` never draws a blank one
    audit.write_text("id,theme,coder,coded_at\n" + "".join(
        f"{a[0]},{t},ann,2024-05-01T10:00:00+00:00\n" for a in audited for t in (a[4].split(";"))),
        encoding="utf-8")
    return folder, corpus, codebook, model, audit, [a[0] for a in audited]


def test_audit_sets_the_cut_off_and_audited_answers_keep_their_human_codes(audited_setup, tmp_path):
    from training_data import label_sets_of

    folder, corpus, codebook, model, audit, audited = audited_setup
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", corpus, "-c", codebook, "--model", model, "--audit", audit, "--target-precision", "0.8",
                    "--out", out)
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Audit: 30 answers coded by a person keep their codes (source = human)." in text
    assert "Target precision 0.8: auto-coding answers with confidence >=" in text
    assert "Clopper-Pearson lower bound" in text
    assert "What this audit can certify" in text and "0.95" in text
    coded = read_out(out).set_index("id")
    gold = label_sets_of()
    human = coded.loc[audited]
    assert set(human["source"]) == {"human"} and set(human["needs_review"]) == {"0"}
    assert all(set(filter(None, human.loc[i, "themes"].split(";"))) == gold[i] for i in audited)
    others = coded.drop(index=audited)
    assert set(others["source"]) == {"machine"}
    cutoff = float(text.split("confidence >= ")[1].split(" ")[0])
    blank = others["text"] == ""
    expected = ((others["confidence"].astype(float) < cutoff) & ~blank).astype(int).astype(str)
    assert others["needs_review"].equals(expected)


def test_an_audit_that_finds_the_machine_wrong_auto_codes_nothing(audited_setup, tmp_path):
    folder, corpus, codebook, model, audit, audited = audited_setup
    wrong = tmp_path / "wrong.csv"  # a person who never agrees with the machine
    wrong.write_text("id,theme,coder,coded_at\n" + "".join(f"{i},klanten_helpen,ann,2024-05-01T10:00:00\n"
                                                           for i in audited), encoding="utf-8")
    out = tmp_path / "gecodeerd.csv"
    result = invoke("code", corpus, "-c", codebook, "--model", model, "--audit", wrong, "--out", out)
    assert result.exit_code == 0, result.output
    assert "Target precision 0.9: nothing can be coded automatically" in " ".join(result.stdout.split())
    others = read_out(out).set_index("id").drop(index=audited)
    assert others.loc[others["text"] != "", "needs_review"].eq("1").all()


@pytest.mark.parametrize("row, words", [
    ("zz99,salaris,ann,2024-05-01T10:00:00\n", ["audit.labels.csv", "1 coded answer(s) are not in train.csv: zz99"]),
    ("a01,bonus,ann,2024-05-01T10:00:00\n", ["audit.labels.csv:", "theme 'bonus' is not in the codebook"]),
])
def test_a_bad_audit_is_exit_2_and_writes_nothing(audited_setup, tmp_path, row, words):
    folder, corpus, codebook, model, audit, _ = audited_setup
    bad = tmp_path / "audit.labels.csv"
    bad.write_text(audit.read_text(encoding="utf-8") + row, encoding="utf-8")
    out = tmp_path / "gecodeerd.csv"
    assert_clean_error(invoke("code", corpus, "-c", codebook, "--model", model, "--audit", bad, "--out", out),
                       *words)
    assert not out.exists()


def test_an_audit_needs_a_model(audited_setup, tmp_path):
    folder, corpus, codebook, model, audit, _ = audited_setup
    out = tmp_path / "gecodeerd.csv"
    assert_clean_error(invoke("code", corpus, "-c", codebook, "--audit", audit, "--out", out), "--audit",
                       "trained model")
    assert_clean_error(invoke("code", corpus, "-c", codebook, "--model", model, "--audit", audit, "--out", audit),
                       "same file as the input")


def test_without_an_audit_every_row_is_machine_coded(audited_setup, tmp_path):
    folder, corpus, codebook, model, _, _ = audited_setup
    out = tmp_path / "gecodeerd.csv"
    assert invoke("code", corpus, "-c", codebook, "--model", model, "--out", out).exit_code == 0
    coded = read_out(out)
    assert set(coded["source"]) == {"machine"}
    assert coded.set_index("id").loc[["a34", "a37", "a38"], "non_answer"].tolist() == ["1", "1", "1"]
