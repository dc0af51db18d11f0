"""`kcc-text agreement`: the contract's CSV, JSON with the method, a table, and clean errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from kcc_text.cli import app

runner = CliRunner()


@pytest.fixture
def files(tmp_path):
    a = tmp_path / "ann.csv"
    a.write_text("id,theme,coder\nr1,salaris,ann\nr2,werkdruk,ann\nr3,,ann\nr4,salaris,ann\nr4,werkdruk,ann\n",
                 encoding="utf-8")
    b = tmp_path / "bob.csv"
    b.write_text("id,theme,coder\nr1,salaris,bob\nr2,salaris,bob\nr3,,bob\nr4,werkdruk,bob\n", encoding="utf-8")
    return a, b


def test_csv_has_the_contract_columns_and_a_final_all_row(files):
    result = runner.invoke(app, ["agreement", str(files[0]), str(files[1]), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:5] == ["theme", "n", "agreement", "cohen_kappa", "krippendorff_alpha"]
    assert [r["theme"] for r in rows] == ["salaris", "werkdruk", "ALL"]
    werkdruk = rows[1]
    assert werkdruk["n"] == "4"
    assert float(werkdruk["agreement"]) == 0.75
    assert float(werkdruk["cohen_kappa"]) == pytest.approx(0.5)
    assert float(werkdruk["krippendorff_alpha"]) == pytest.approx(8 / 15, abs=1e-4)


def test_json_names_the_method_and_the_pooled_values(files):
    result = runner.invoke(app, ["agreement", str(files[0]), str(files[1]), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "Krippendorff" in report["method"] and "ALL pools" in report["method"]
    assert report["rows"][-1]["theme"] == "ALL"
    assert report["overall"]["exact_set_agreement"] == 0.5
    assert report["n_answers"] == 4


def test_table_shows_each_theme_and_a_verdict(files):
    result = runner.invoke(app, ["agreement", str(files[0]), str(files[1])])
    assert result.exit_code == 0, result.output
    assert "werkdruk" in result.output and "ALL" in result.output
    assert "unreliable" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_out_writes_the_file(files, tmp_path):
    out = tmp_path / "agreement.csv"
    result = runner.invoke(app, ["agreement", str(files[0]), str(files[1]), "-f", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").splitlines()[-1].startswith("ALL,4,")
    assert not list(tmp_path.glob("*.part"))


def test_out_over_an_input_is_refused(files):
    result = runner.invoke(app, ["agreement", str(files[0]), str(files[1]), "-f", "csv", "--out", str(files[1])])
    assert result.exit_code == 2
    assert "same file as the input" in result.stderr
    assert files[1].read_text(encoding="utf-8").startswith("id,theme,coder")


def test_missing_file_is_one_line_naming_it(files, tmp_path):
    missing = tmp_path / "nope.csv"
    result = runner.invoke(app, ["agreement", str(files[0]), str(missing)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {missing}: file not found"


def test_no_shared_answers_is_exit_2(files, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("id,theme\nx1,salaris\n", encoding="utf-8")
    result = runner.invoke(app, ["agreement", str(files[0]), str(other)])
    assert result.exit_code == 2
    assert "no answer is coded in both" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["agreement", "annotate", "discover", "review"])
def test_every_command_has_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output and len(result.output.splitlines()) > 5
