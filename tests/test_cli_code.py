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
