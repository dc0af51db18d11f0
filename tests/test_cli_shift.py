"""`kcc-text shift`: the report in every format, the chart, human codes, and clean errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from kcc_text.cli import app

runner = CliRunner()

# (text, themes) pairs, repeated to give each wave and question a few dozen answers. Answers without a
# theme still say something here; the non-answer tests add their own.
SPRING = [("Het salaris is veel te laag.", "salaris", 12), ("Veel stress en te veel werk.", "werkdruk", 6),
          ("Het werk is echt leuk.", "leuk_werk", 10), ("Gewoon een baan.", "", 12)]
AUTUMN = [("Het salaris is veel te laag.", "salaris", 5), ("Veel stress en te veel werk.", "werkdruk", 16),
          ("Het werk is echt leuk.", "leuk_werk", 9), ("Het is werk, meer niet.", "", 10)]
HELPING = {"voorjaar-2020": 8, "najaar-2020": 20}


def write_coded(path):
    rows = [("id", "text", "wave", "question", "beveelt_aan", "themes", "needs_review", "codebook")]
    for wave, spec in (("voorjaar-2020", SPRING), ("najaar-2020", AUTUMN)):
        for text, themes, count in spec:
            for i in range(count):
                rows.append((f"r{len(rows)}", text, wave, "aanbevelen", "ja" if i % 2 else "nee", themes, "0",
                             "kcc-mini@1.0.0"))
        for i in range(40):
            helped = i < HELPING[wave]
            rows.append((f"r{len(rows)}", "Klanten goed helpen." if helped else "Gewoon werk.", wave,
                         "toegevoegde_waarde", "", "klanten_helpen" if helped else "", "0", "kcc-mini@1.0.0"))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


@pytest.fixture
def coded(tmp_path):
    return write_coded(tmp_path / "gecodeerd.csv")


def read_csv_text(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_table_shows_both_questions_with_direction(coded):
    result = runner.invoke(app, ["shift", str(coded)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "aanbevelen: voorjaar-2020 (a, n=40) → najaar-2020 (b, n=40)" in out
    assert "toegevoegde_waarde: voorjaar-2020 (a, n=40) → najaar-2020 (b, n=40)" in out
    assert "▲ +25.0" in out  # werkdruk 15% -> 40%
    assert "▼ -17.5" in out  # salaris 30% -> 12.5%
    assert "Fisher" in out and "Holm" in out


def test_csv_to_stdout_has_contract_columns(coded):
    result = runner.invoke(app, ["shift", str(coded), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = read_csv_text(result.stdout)
    assert list(rows[0]) == ["question", "theme", "label", "n_a", "pct_a", "n_b", "pct_b", "diff_pp", "ci_low",
                             "ci_high", "p_value", "p_adjusted", "pct_a_low", "pct_a_high", "pct_b_low",
                             "pct_b_high"]
    assert rows[0]["question"] == "aanbevelen" and rows[0]["theme"] == "werkdruk"
    helping = [r for r in rows if r["theme"] == "klanten_helpen"]
    assert [(r["question"], r["pct_a"], r["pct_b"], r["diff_pp"]) for r in helping] == [
        ("toegevoegde_waarde", "20.0", "50.0", "30.0")]


def test_question_and_groups_can_be_chosen(coded):
    result = runner.invoke(app, ["shift", str(coded), "--question", "aanbevelen", "--from", "najaar-2020",
                                 "--to", "voorjaar-2020", "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = read_csv_text(result.stdout)
    assert "question" not in rows[0]
    assert {r["theme"]: r["diff_pp"] for r in rows}["werkdruk"] == "-25.0"


def test_by_metadata_column_json_names_the_method(coded):
    result = runner.invoke(app, ["shift", str(coded), "--by", "beveelt_aan", "--test", "chi2",
                                 "--correction", "fdr_bh", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["by"] == "beveelt_aan" and data["groups"] == {"a": "nee", "b": "ja"}
    assert data["questions"] == ["aanbevelen"]  # toegevoegde_waarde has no ja/nee answers
    assert (data["method"]["test"], data["method"]["interval"], data["method"]["correction"]) == (
        "chi2", "newcombe", "fdr_bh")
    assert any("toegevoegde_waarde" in w for w in data["warnings"])


def test_out_and_plot_write_files(coded, tmp_path):
    out, chart = tmp_path / "verschuiving.md", tmp_path / "verschuiving.png"
    result = runner.invoke(app, ["shift", str(coded), "--out", str(out), "--plot", str(chart)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Theme shift by wave: voorjaar-2020 (a) → najaar-2020 (b)")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.stdout == ""


def test_labels_compare_human_codes_on_a_plain_corpus(tmp_path, tiny_corpus):
    labels = tmp_path / "codes.csv"
    labels.write_text("id,theme,coder,coded_at\nr1,salaris,ann,2024-01-01\nr2,werkdruk,ann,2024-01-01\n"
                      "r3,,ann,2024-01-01\nr3,leuk_werk,ann,2023-12-01\n", encoding="utf-8")
    result = runner.invoke(app, ["shift", str(tiny_corpus), "--labels", str(labels), "-q", "aanbevelen",
                                 "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # r3's latest decision is "no theme"; r4 and r5 were never coded and do not count.
    assert {(n["group"], n["answers"]) for n in data["n"]} == {("voorjaar-2020", 2), ("najaar-2020", 1)}
    rows = {r["theme"]: r for r in data["rows"]}
    assert set(rows) == {"salaris", "werkdruk"}
    assert (rows["salaris"]["pct_a"], rows["salaris"]["pct_b"]) == (50.0, 0.0)


def test_codebook_gives_labels_and_applicability(coded, tiny_codebook):
    # Needs kcc_text.codebook (load_codebook) and the shared tiny_codebook fixture.
    result = runner.invoke(app, ["shift", str(coded), "--codebook", str(tiny_codebook), "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = read_csv_text(result.stdout)
    labels = {(r["question"], r["theme"]): r["label"] for r in rows}
    assert labels[("aanbevelen", "salaris")] == "Salaris en beloning"
    assert ("aanbevelen", "klanten_helpen") not in labels  # applies to toegevoegde_waarde only
    assert labels[("toegevoegde_waarde", "klanten_helpen")] == "Klanten helpen"
    assert ("toegevoegde_waarde", "collegas") in labels  # in the codebook, never found: still reported


@pytest.mark.parametrize("args, message", [
    (["missing.csv"], "missing.csv: file not found"),
    (["{coded}", "--from", "winter-2021"], "group 'winter-2021' not found in column 'wave' "
                                           "(groups: voorjaar-2020, najaar-2020)"),
    (["{coded}", "--by", "leeftijd"], "no column 'leeftijd'"),
    (["{coded}", "--question", "salaris"], "question 'salaris' not found"),
    (["{coded}", "--out", "{coded}"], "output is the same file as the input"),
    (["{coded}", "--plot", "{tmp}/grafiek.pdf"], "grafiek.pdf: cannot tell the chart format"),
    (["{coded}", "--test", "t-toets"], "unknown test 't-toets'"),
    (["{coded}", "--format", "xlsx"], "unknown --format 'xlsx'"),
])
def test_errors_are_one_line_and_exit_2(coded, tmp_path, args, message):
    before = coded.read_bytes()
    args = [a.format(coded=coded, tmp=tmp_path) for a in args]
    result = runner.invoke(app, ["shift", *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert coded.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gecodeerd.csv"]


def test_a_corpus_without_themes_needs_labels(tiny_corpus):
    result = runner.invoke(app, ["shift", str(tiny_corpus)])
    assert result.exit_code == 2
    assert "antwoorden.csv: no 'themes' column" in result.stderr


def test_help_explains_the_options():
    result = runner.invoke(app, ["shift", "--help"])
    assert result.exit_code == 0
    for option in ("--by", "--from", "--to", "--question", "--format", "--labels", "--codebook", "--test",
                   "--correction", "--plot", "--out", "--audit", "--include-non-answers"):
        assert option in result.output


# --- audit, three waves, non-answers ---------------------------------------------------------------

DIRECT, INDIRECT, OTHER = "Mensen helpen, daar doe ik het voor.", "Dat iemand weer verder kan.", "Gewoon een baan."


def write_audited(tmp_path, audit_every=3):
    """A coded file where the machine misses the indirect wording of helping, and an audit of every
    `audit_every`-th answer of each wave (a systematic sample of a file in random order)."""
    spec = {"voorjaar-2020": [(DIRECT, 40, True), (INDIRECT, 10, False), (OTHER, 100, False), ("n.v.t.", 6, False)],
            "najaar-2020": [(DIRECT, 50, True), (INDIRECT, 50, False), (OTHER, 50, False), ("weet niet", 4, False)]}
    coded = [("id", "text", "wave", "question", "themes", "needs_review", "codebook")]
    labels = [("id", "theme", "coder", "coded_at")]
    for wave, parts in spec.items():
        rows = [(text, machine) for text, count, machine in parts for _ in range(count)]
        # Interleave so that every n-th answer is a fair mix.
        rows = [rows[i] for step in range(7) for i in range(step, len(rows), 7)]
        for k, (text, machine) in enumerate(rows):
            answer_id = f"{wave[:2]}{k:03d}"
            coded.append((answer_id, text, wave, "toegevoegde_waarde", "klanten_helpen" if machine else "", "0",
                          "kcc-mini@1.0.0"))
            if k % audit_every == 0:
                helped = text in (DIRECT, INDIRECT)
                labels.append((answer_id, "klanten_helpen" if helped else "", "ann", "2024-03-01T10:00"))
    paths = tmp_path / "gecodeerd.csv", tmp_path / "steekproef.labels.csv"
    for path, rows in zip(paths, (coded, labels)):
        with open(path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
    return paths


def test_audit_gives_corrected_numbers_beside_the_machines(tmp_path):
    coded, labels = write_audited(tmp_path)
    result = runner.invoke(app, ["shift", str(coded), "--audit", str(labels), "-f", "csv"])
    assert result.exit_code == 0, result.output
    row = read_csv_text(result.stdout)[0]
    assert list(row)[-9:] == ["pct_a_low", "pct_a_high", "pct_b_low", "pct_b_high", "pct_a_machine",
                              "pct_b_machine", "diff_pp_machine", "n_audit_a", "n_audit_b"]
    # Truth: 50/150 -> 100/150 helping (non-answers left out); the machine says 40/150 -> 50/150.
    assert float(row["diff_pp_machine"]) == pytest.approx(20 / 3)
    assert float(row["ci_low"]) <= 100 / 3 <= float(row["ci_high"]) and float(row["ci_low"]) > 20 / 3
    assert float(row["diff_pp"]) == float(row["pct_b"]) - float(row["pct_a"])
    assert (row["n_audit_a"], row["n_audit_b"]) == ("50", "50")

    table = runner.invoke(app, ["shift", str(coded), "--audit", str(labels)])
    assert table.exit_code == 0, table.output
    assert "Audit-corrected (prediction-powered inference)" in table.stdout
    assert "Non-answers left out of the base: 6 in voorjaar-2020, 4 in najaar-2020" in table.stdout

    data = json.loads(runner.invoke(app, ["shift", str(coded), "--audit", str(labels), "-f", "json"]).stdout)
    assert data["method"]["estimator"] == "ppi++" and data["method"]["test"] == "wald-z"


def test_a_small_audit_is_warned_about_on_stderr(tmp_path):
    coded, labels = write_audited(tmp_path, audit_every=8)
    result = runner.invoke(app, ["shift", str(coded), "--audit", str(labels), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "warning: question 'toegevoegde_waarde': the audit of group 'voorjaar-2020' has only" in result.stderr
    assert json.loads(result.stdout)["warnings"]


@pytest.mark.parametrize("extra_row, message", [
    ("x404,klanten_helpen,ann,2024-03-01T10:00\n", "1 audited answer(s) are not in the coded file: x404"),
    ("vo000,salaris,ann,2024-03-02T10:00\n", "theme 'salaris' is not in the coded file"),
])
def test_a_bad_audit_is_a_clean_error_naming_the_file(tmp_path, extra_row, message):
    coded, labels = write_audited(tmp_path)
    with open(labels, "a", encoding="utf-8") as fh:
        fh.write(extra_row)
    result = runner.invoke(app, ["shift", str(coded), "--audit", str(labels)])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith(f"error: {labels}") and message in line and "Traceback" not in result.output


def test_audit_themes_are_checked_against_the_codebook(tmp_path, tiny_codebook):
    coded, labels = write_audited(tmp_path)
    with open(labels, "a", encoding="utf-8") as fh:
        fh.write("vo000,imago,ann,2024-03-02T10:00\n")
    result = runner.invoke(app, ["shift", str(coded), "--audit", str(labels), "-c", str(tiny_codebook)])
    assert result.exit_code == 2
    assert "theme 'imago' is not in the codebook" in result.stderr


def test_labels_and_audit_do_not_go_together(tmp_path):
    coded, labels = write_audited(tmp_path)
    result = runner.invoke(app, ["shift", str(coded), "--audit", str(labels), "--labels", str(labels)])
    assert result.exit_code == 2 and "--labels and --audit" in result.stderr


def test_include_non_answers_keeps_them_in_the_base(tmp_path):
    coded, _ = write_audited(tmp_path)
    left_out = read_csv_text(runner.invoke(app, ["shift", str(coded), "-f", "csv"]).stdout)[0]
    kept = read_csv_text(runner.invoke(app, ["shift", str(coded), "-f", "csv", "--include-non-answers"]).stdout)[0]
    assert float(left_out["pct_a"]) == pytest.approx(100 * 40 / 150)
    assert float(kept["pct_a"]) == pytest.approx(100 * 40 / 156)


def test_three_waves_report_every_wave_and_from_to_a_pair(tmp_path):
    rows = [("id", "text", "wave", "themes")]
    for wave, with_salary in (("voorjaar-2020", 5), ("zomer-2020", 15), ("najaar-2020", 25)):
        for i in range(40):
            salary = i < with_salary
            rows.append((f"{wave}-{i}", "Het salaris is te laag." if salary else "Gewoon een baan.", wave,
                         "salaris" if salary else ""))
    path = tmp_path / "drie.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    table = runner.invoke(app, ["shift", str(path)])
    assert table.exit_code == 0, table.output
    assert "voorjaar-2020 n=40, zomer-2020 n=40, najaar-2020 n=40" in table.stdout
    assert "chi-square test of homogeneity" in table.stdout
    data = json.loads(runner.invoke(app, ["shift", str(path), "-f", "json"]).stdout)
    assert data["report"] == "groups" and [r["group"] for r in data["rows"]] == [
        "voorjaar-2020", "zomer-2020", "najaar-2020"]
    pair = read_csv_text(runner.invoke(app, ["shift", str(path), "--from", "zomer-2020", "--to", "najaar-2020",
                                             "-f", "csv"]).stdout)
    assert float(pair[0]["diff_pp"]) == 25.0


def test_the_codebooks_own_non_answers_leave_the_base(tmp_path, tiny_codebook):
    rows = [("id", "text", "wave", "themes")]
    for wave in ("voorjaar-2020", "najaar-2020"):
        for i in range(20):
            text = "zie vorige vraag" if i < 4 else ("Het salaris is te laag." if i < 10 else "Gewoon een baan.")
            rows.append((f"{wave}-{i}", text, wave, "salaris" if "salaris" in text else ""))
    path = tmp_path / "gecodeerd.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    own = tmp_path / "eigen.yaml"
    own.write_text(tiny_codebook.read_text(encoding="utf-8") + "non_answers:\n  - zie vorige vraag\n",
                   encoding="utf-8")
    plain = read_csv_text(runner.invoke(app, ["shift", str(path), "-c", str(tiny_codebook), "-f", "csv"]).stdout)
    mine = read_csv_text(runner.invoke(app, ["shift", str(path), "-c", str(own), "-f", "csv"]).stdout)
    salaris = {r["theme"]: r for r in plain}["salaris"], {r["theme"]: r for r in mine}["salaris"]
    assert float(salaris[0]["pct_a"]) == pytest.approx(30.0) and float(salaris[1]["pct_a"]) == pytest.approx(37.5)
    # `code` with that codebook writes the flag; shift then reads the column
    corpus = tmp_path / "antwoorden.csv"
    with open(corpus, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([r[:3] for r in rows])
    coded = tmp_path / "uit.csv"
    assert runner.invoke(app, ["code", str(corpus), "-c", str(own), "--out", str(coded)]).exit_code == 0
    again = read_csv_text(runner.invoke(app, ["shift", str(coded), "-c", str(own), "-f", "csv"]).stdout)
    assert float({r["theme"]: r for r in again}["salaris"]["pct_a"]) == pytest.approx(37.5)
