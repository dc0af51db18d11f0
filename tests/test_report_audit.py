"""The HTML report with an audit (corrected shares and shifts) and with three or more waves (the groups report)."""

from __future__ import annotations

import csv
import re
from html import unescape

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import TINY_CODEBOOK_YAML

from kcc_text.analysis.shift import theme_shift
from kcc_text.cli import app
from kcc_text.codebook.definition import parse_codebook
from kcc_text.report import build_report
from kcc_text.report.build import audit_estimates, audit_summary

runner = CliRunner()
DIRECT, INDIRECT = "Klanten goed helpen, daar doe ik het voor.", "Dat iemand weer verder kan."
OTHER = "Gewoon een baan."
SALARY = "Het salaris is veel te laag."


@pytest.fixture(scope="module")
def codebook():
    return parse_codebook(TINY_CODEBOOK_YAML)


def audited_frame(waves=("voorjaar-2020", "najaar-2020"), audit_every=3):
    """Coded answers where the machine misses the indirect wording of helping customers, and an audit of
    every `audit_every`-th answer of each wave (a systematic sample of answers in random order).

    Truth: helping 50 of 150 in the first wave, 100 of 150 in the second (and 75 in a third); the machine
    sees 40, 50 (and 45)."""
    spec = {0: [(DIRECT, 40), (INDIRECT, 10), (OTHER, 100)], 1: [(DIRECT, 50), (INDIRECT, 50), (OTHER, 50)],
            2: [(DIRECT, 45), (INDIRECT, 30), (OTHER, 75)]}
    rows, audit = [], {}
    for number, wave in enumerate(waves):
        answers = [text for text, count in spec[number] for _ in range(count)]
        answers = [answers[i] for step in range(7) for i in range(step, len(answers), 7)]
        for k, text in enumerate(answers):
            answer_id = f"{wave[:2]}{k:03d}"
            rows.append({"id": answer_id, "text": text, "wave": wave, "question": "toegevoegde_waarde",
                         "themes": "klanten_helpen" if text == DIRECT else "", "needs_review": "0",
                         "codebook": "kcc-mini@1.0.0"})
            if k % audit_every == 0:
                audit[answer_id] = frozenset({"klanten_helpen"} if text in (DIRECT, INDIRECT) else ())
        for k in range(40):  # a second question, audited nowhere
            rows.append({"id": f"{wave[:2]}s{k:03d}", "text": SALARY if k < 10 + 5 * number else OTHER,
                         "wave": wave, "question": "aanbevelen",
                         "themes": "salaris" if k < 10 + 5 * number else "", "needs_review": "0",
                         "codebook": "kcc-mini@1.0.0"})
    return pd.DataFrame(rows), audit


def page_text(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_audit_estimates_are_theme_shifts_corrected_by_the_audit(codebook):
    frame, audit = audited_frame()
    estimates = audit_estimates(frame, audit, codebook)
    shift = theme_shift(frame, list(codebook.themes), question="toegevoegde_waarde", audit=audit)
    expected = shift.table
    helping = next(r for r in estimates["estimates"] if r["theme"] == "klanten_helpen")
    want = expected[expected["theme"] == "klanten_helpen"].iloc[0]
    for column in ("pct_a", "pct_b", "diff_pp", "ci_low", "ci_high", "p_adjusted", "pct_a_low", "pct_b_high",
                   "pct_a_machine", "pct_b_machine", "n_audit_a", "n_audit_b"):
        assert helping[column] == want[column], column
    # The machine sees 40/150 -> 50/150; the truth is 50/150 -> 100/150, inside the corrected interval.
    assert helping["diff_pp_machine"] == pytest.approx(100 * 10 / 150)
    assert helping["ci_low"] <= 100 * 50 / 150 <= helping["ci_high"] and helping["ci_low"] > 100 * 10 / 150
    assert helping["question"] == "toegevoegde_waarde"
    assert estimates["kind"] == "pairwise" and estimates["groups"] == ["voorjaar-2020", "najaar-2020"]
    assert "prediction-powered" in estimates["method"]
    assert estimates["method"].startswith(shift.method["text"])  # the method `shift --audit` states
    assert estimates["warnings"] == shift.warnings
    # The other question has no audited answers: said, not silently shown as corrected.
    assert "no audited answers" in estimates["not_corrected"]["aanbevelen"]
    assert {r["question"] for r in estimates["estimates"]} == {"toegevoegde_waarde"}


def test_report_shows_corrected_shares_with_intervals_and_says_so(codebook):
    frame, audit = audited_frame()
    summary = {**audit_summary(frame, audit, codebook, source="steekproef.csv"),
               **audit_estimates(frame, audit, codebook)}
    page = build_report(frame, codebook, audit=summary)
    text = page_text(page)
    helping = next(r for r in summary["estimates"] if r["theme"] == "klanten_helpen")
    corrected = page.split("<h3>Corrected by the audit</h3>")[1]
    row = corrected.split('<td class="theme">Klanten helpen</td>')[1].split("</tr>")[0]
    assert f"{helping['pct_a']:.1f}" in row and f"{helping['pct_b']:.1f}" in row
    assert f"{helping['pct_a_low']:.1f}–{helping['pct_a_high']:.1f}" in row  # the share's interval
    assert f"{helping['ci_low']:+.1f} to {helping['ci_high']:+.1f}".replace("-", "\u2212") in row
    assert f"{helping['diff_pp_machine']:+.1f}" in row
    assert "Audited: 50 answers of voorjaar-2020, 50 of najaar-2020." in text
    assert "Corrected by the audit: a person coded a random sample" in text
    assert "the corrected numbers are the ones to report" in text
    assert "audit-corrected intervals do cover the coding errors" in text
    assert "prediction-powered" in corrected
    # The question without an audit says it was not corrected, in its section and in the audit section.
    assert "Not corrected by the audit: question 'aanbevelen': no audited answers" in text
    assert "this report does not correct them" not in text


def test_three_waves_show_the_groups_report_not_first_against_last(codebook):
    frame, _ = audited_frame(waves=("voorjaar-2020", "zomer-2020", "najaar-2020"))
    page = build_report(frame, codebook)
    text = page_text(page)
    result = theme_shift(frame, list(codebook.themes), question="aanbevelen")
    assert result.kind == "groups"
    assert "Shift across 3 waves" in text and "Shift from" not in text
    assert "compare the first and last" not in text
    assert "reported over all 3 waves (voorjaar-2020, zomer-2020, najaar-2020)" in text
    section = page.split('id="q2-aanbevelen"')[1]
    salary = section.split('<td class="theme">Salaris en beloning</td>')[1].split("</tr>")[0]
    for row in result.table[result.table["theme"] == "salaris"].to_dict("records"):
        assert f"{row['pct']:.1f}" in salary and f"{row['pct_low']:.1f}–{row['pct_high']:.1f}" in salary
    p_adj = result.table[result.table["theme"] == "salaris"]["p_adjusted"].iloc[0]
    assert (f"{p_adj:.3f}" if p_adj >= 0.001 else "&lt;0.001") in salary
    assert "chi-square test of homogeneity" in text


def test_three_waves_with_an_audit_give_corrected_shares_per_wave(codebook):
    frame, audit = audited_frame(waves=("voorjaar-2020", "zomer-2020", "najaar-2020"))
    summary = audit_estimates(frame, audit, codebook)
    assert summary["kind"] == "groups" and summary["groups"] == ["voorjaar-2020", "zomer-2020", "najaar-2020"]
    expected = theme_shift(frame, list(codebook.themes), question="toegevoegde_waarde", audit=audit).table
    rows = [r for r in summary["estimates"] if r["theme"] == "klanten_helpen"]
    assert [r["pct"] for r in rows] == list(expected[expected["theme"] == "klanten_helpen"]["pct"])
    page = build_report(frame, codebook, audit=summary)
    corrected = page.split("<h3>Corrected by the audit</h3>")[1]
    helping = corrected.split('<td class="theme">Klanten helpen</td>')[1].split("</tr>")[0]
    for row in rows:
        assert f"{row['pct']:.1f}<br><span class=\"small\">{row['pct_low']:.1f}–{row['pct_high']:.1f}" in helping
        assert f"machine {row['pct_machine']:.1f}" in helping
    assert "audited 50" in corrected


def write_csv(path, frame):
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    return path


def write_audit(path, audit):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "theme", "coder"])
        for answer_id, themes in audit.items():
            for theme in sorted(themes) or [""]:
                writer.writerow([answer_id, theme, "ann"])
    return path


def test_cli_report_with_an_audit_shows_corrected_numbers(codebook, tiny_codebook, tmp_path):
    frame, audit = audited_frame()
    coded = write_csv(tmp_path / "gecodeerd.csv", frame)
    labels = write_audit(tmp_path / "steekproef.csv", audit)
    out = tmp_path / "rapport.html"
    result = runner.invoke(app, ["report", str(coded), "-c", str(tiny_codebook), "--audit", str(labels),
                                 "--out", str(out), "--no-pseudonymise"])
    assert result.exit_code == 0, result.output
    assert "Audit: 100 answers audited; shares corrected for 1 question(s), not for 1." in result.stdout
    assert "warning: aanbevelen: not corrected by the audit" in result.stderr
    page = out.read_text(encoding="utf-8")
    helping = audit_estimates(frame, audit, codebook)["estimates"][0]
    assert "<h3>Corrected by the audit</h3>" in page and f"{helping['pct_b']:.1f}" in page


def test_cli_report_refuses_audit_themes_outside_the_codebook(tiny_codebook, tmp_path):
    frame, audit = audited_frame()
    coded = write_csv(tmp_path / "gecodeerd.csv", frame)
    labels = write_audit(tmp_path / "steekproef.csv", {**audit, "vo000": frozenset({"imago"})})
    result = runner.invoke(app, ["report", str(coded), "-c", str(tiny_codebook), "--audit", str(labels),
                                 "--out", str(tmp_path / "rapport.html"), "--no-pseudonymise"])
    assert result.exit_code == 2
    assert "steekproef.csv" in result.stderr and "imago" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "rapport.html").exists()


def test_cli_report_on_a_merged_file_shows_the_audit_but_not_a_correction(tiny_codebook, tmp_path):
    """After `merge`, audited answers carry the person's codes: agreement yes, a correction no (and why)."""
    frame, audit = audited_frame()
    frame["source"] = ["human" if i in audit else "machine" for i in frame["id"]]
    coded = write_csv(tmp_path / "samengevoegd.csv", frame)
    labels = write_audit(tmp_path / "steekproef.csv", audit)
    out = tmp_path / "rapport.html"
    result = runner.invoke(app, ["report", str(coded), "-c", str(tiny_codebook), "--audit", str(labels),
                                 "--out", str(out), "--no-pseudonymise"])
    assert result.exit_code == 0, result.output
    text = page_text(out.read_text(encoding="utf-8"))
    assert "carry human codes in the coded file" in text and "Table 1b" not in text


def test_shift_and_report_read_an_audit_the_same_way(tiny_codebook, tmp_path):
    from kcc_text.analysis.audit_labels import audit_label_sets, read_audit
    from kcc_text.errors import InputFileError

    frame, audit = audited_frame()
    labels = write_audit(tmp_path / "steekproef.csv", audit)
    assert read_audit(labels, frame) == audit_label_sets(labels, frame) == audit
    outside = write_audit(tmp_path / "buiten.csv", {"x404": frozenset({"salaris"})})
    with pytest.raises(InputFileError, match="buiten.csv.*x404"):
        read_audit(outside, frame)
