"""`kcc-text codebook validate | show | diff`."""

from __future__ import annotations

from typer.testing import CliRunner

from kcc_text.cli import app

runner = CliRunner()
THEMES = ["salaris", "werkdruk", "leuk_werk", "gebrek_aan_waardering", "klanten_helpen", "collegas"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_validate_ok(tiny_codebook):
    result = invoke("codebook", "validate", tiny_codebook)
    assert result.exit_code == 0, result.output
    assert "valid codebook kcc-mini@1.0.0" in result.stdout
    assert "6 themes" in result.stdout and "14 patterns" in result.stdout


def test_validate_invalid_pattern(tmp_path):
    path = tmp_path / "kapot.yaml"
    path.write_text("codebook: t\nversion: 1.0.0\nthemes:\n  - id: salaris\n    label: Salaris\n"
                    "    patterns:\n      - lo*\n", encoding="utf-8")
    result = invoke("codebook", "validate", path)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {path}:7: theme 'salaris': invalid pattern 'lo*': a prefix needs at least 3 letters "
        "before '*' (got 'lo*')"]
    assert "Traceback" not in result.output


def test_validate_missing_file(tmp_path):
    result = invoke("codebook", "validate", tmp_path / "weg.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'weg.yaml'}: file not found"


def test_show_table(tiny_codebook):
    result = invoke("codebook", "show", tiny_codebook)
    assert result.exit_code == 0, result.output
    assert "kcc-mini@1.0.0" in result.stdout
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if line.startswith("│ ")}
    assert set(THEMES) <= set(rows)
    assert "exclude" in rows["leuk_werk"] and rows["leuk_werk"].rstrip(" │").endswith("2")
    assert "toegevoegde" in rows["klanten_helpen"] and "all" in rows["salaris"]


def test_show_one_theme(tiny_codebook):
    result = invoke("codebook", "show", tiny_codebook, "--theme", "gebrek_aan_waardering")
    assert result.exit_code == 0, result.output
    assert "gebrek_aan_waardering: Gebrek aan waardering" in result.stdout
    assert "waardering  [negation: require]" in result.stdout
    assert "ondergewaardeerd" in result.stdout


def test_show_patterns(tiny_codebook):
    result = invoke("codebook", "show", tiny_codebook, "--patterns")
    assert result.exit_code == 0, result.output
    assert "slecht|matig" in result.stdout and "klant helpen" in result.stdout


def test_show_unknown_theme(tiny_codebook):
    result = invoke("codebook", "show", tiny_codebook, "--theme", "sallaris")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tiny_codebook}: theme 'sallaris' is not in kcc-mini@1.0.0")


def test_diff_reports_changes_and_bump(tiny_codebook, tmp_path):
    new = tmp_path / "kcc-mini-1.1.0.yaml"
    new.write_text(tiny_codebook.read_text(encoding="utf-8")
                   .replace("version: 1.0.0", "version: 1.1.0")
                   .replace("      - stress\n", "      - stress\n      - overuren\n")
                   + "  - id: thuiswerken\n    label: Thuiswerken\n", encoding="utf-8")
    result = invoke("codebook", "diff", tiny_codebook, new)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "kcc-mini@1.0.0 -> kcc-mini@1.1.0" in out
    assert "+ theme thuiswerken (Thuiswerken)" in out
    assert "~ theme werkdruk" in out and "+ pattern overuren" in out
    assert "required bump: minor; version change: minor" in out
    assert "too low" not in out


def test_diff_warns_when_version_too_low(tiny_codebook, tmp_path):
    text = tiny_codebook.read_text(encoding="utf-8")
    start = text.index("  - id: collegas")
    new = tmp_path / "kcc-mini-1.0.1.yaml"
    new.write_text(text[:start].replace("version: 1.0.0", "version: 1.0.1"), encoding="utf-8")
    result = invoke("codebook", "diff", tiny_codebook, new)
    assert result.exit_code == 1, result.output  # a release check can stop on it
    assert "- theme collegas (Collega's)" in result.stdout
    assert "required bump: major; version change: patch" in result.stdout
    assert "version number too low" in result.stdout


def test_diff_with_invalid_codebook(tiny_codebook, tmp_path):
    bad = tmp_path / "kapot.yaml"
    bad.write_text("codebook: t\nversion: 1.0\nthemes:\n  - id: a\n    label: A\n", encoding="utf-8")
    result = invoke("codebook", "diff", tiny_codebook, bad)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}:")


def test_validate_codebook_without_patterns(tmp_path):
    path = tmp_path / "alleen-model.yaml"
    path.write_text("codebook: alleen-model\nversion: 0.1.0\nthemes:\n  - id: salaris\n    label: Salaris\n",
                    encoding="utf-8")
    result = invoke("codebook", "validate", path)
    assert result.exit_code == 0, result.output
    assert "valid codebook alleen-model@0.1.0" in result.stdout and "0 patterns" in result.stdout


def test_validate_directory(tmp_path):
    result = invoke("codebook", "validate", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path}: is a directory, not a file"
