"""The HTML report: self-contained and safe, the right numbers and examples, the CLI, and how it looks in Chromium.

The Chromium tests need the Debian `chromium` package (`apt-get install chromium`); without
it they are skipped with that reason.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import TINY_CODEBOOK_YAML
from training_data import label_sets_of, write_training_files

from kcc_text.cli import app
from kcc_text.codebook.definition import parse_codebook
from kcc_text.report import build_report, write_report
from kcc_text.report.build import audit_summary
from kcc_text.analysis.shift import theme_shift

runner = CliRunner()
HOSTILE = "<script>alert(1)</script> het salaris is te laag"
SPRING, AUTUMN = "voorjaar-2020", "najaar-2020"


@pytest.fixture(scope="module")
def codebook():
    return parse_codebook(TINY_CODEBOOK_YAML)


def coded_rows():
    """A coded file: two waves, two questions, answers repeated to give each group a few dozen."""
    spec = {
        (SPRING, "aanbevelen"): [("Het salaris is veel te laag.", "salaris", 12),
                                 ("Veel stress en te veel werk.", "werkdruk", 6),
                                 ("Het werk is echt leuk, met fijne collega's.", "leuk_werk;collegas", 10),
                                 (HOSTILE, "salaris", 1), ("", "", 11)],
        (AUTUMN, "aanbevelen"): [("Het salaris is veel te laag.", "salaris", 5),
                                 ("Veel stress en te veel werk, groet Jeroen de Vries", "werkdruk", 16),
                                 ("Het werk is echt leuk.", "leuk_werk", 9), ("Geen idee.", "", 10)],
        (SPRING, "toegevoegde_waarde"): [("Klanten goed helpen.", "klanten_helpen", 8), ("Weet ik niet.", "", 32)],
        (AUTUMN, "toegevoegde_waarde"): [("Klanten goed helpen.", "klanten_helpen", 20), ("Weet ik niet.", "", 20)],
    }
    rows = []
    for (wave, question), answers in spec.items():
        for text, themes, count in answers:
            for _ in range(count):
                k = len(rows) + 1
                rows.append({"id": f"r{k}", "text": text, "wave": wave, "question": question,
                             "respondent_id": f"p{k}", "themes": themes, "needs_review": "0",
                             "codebook": "kcc-mini@1.0.0"})
    return rows


@pytest.fixture
def coded():
    return pd.DataFrame(coded_rows())


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


class Page(HTMLParser):
    """The parts of the page the tests look at: tags, links, text, and example answers per theme."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.links: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.examples: dict[str, list[str]] = {}
        self._in_examples = 0  # depth inside a .theme-examples div
        self._field = None
        self._theme = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        for name in ("src", "href", "xlink:href", "action", "data", "poster"):
            if attrs.get(name) is not None:
                self.links.append((tag, name, attrs[name]))
        if tag == "div" and self._in_examples:
            self._in_examples += 1
        elif tag == "div" and "theme-examples" in (attrs.get("class") or "").split():
            self._in_examples = 1
        elif self._in_examples and tag == "h4":
            self._field, self._theme = "h4", ""
        elif self._field == "h4" and tag == "span":
            self._field = "count"  # "(12 answers)" after the label
        elif self._in_examples and tag == "blockquote":
            self._field = "quote"
            self.examples[self._theme].append("")

    def handle_endtag(self, tag):
        if tag == "h4" and self._in_examples:
            self._theme = self._theme.strip()
            self.examples.setdefault(self._theme, [])
            self._field = None
        elif tag == "span" and self._field == "count":
            self._field = "h4"
        elif tag == "blockquote":
            self._field = None
        elif tag == "div" and self._in_examples:
            self._in_examples -= 1

    def handle_data(self, data):
        self.text.append(data)
        if self._field == "h4":
            self._theme += data
        elif self._field == "quote":
            self.examples[self._theme][-1] += data


def test_page_is_self_contained_without_scripts(coded, codebook):
    page = build_report(coded, codebook)
    parsed = Page(page)
    assert parsed.tags[0] == "html" and "body" in parsed.tags and "svg" in parsed.tags
    assert "script" not in parsed.tags and "<script" not in page.lower()
    assert not any(tag in parsed.tags for tag in ("link", "img", "iframe", "object", "embed"))
    assert "http://" not in page and "https://" not in page
    assert all(value.startswith("#") for _, _, value in parsed.links), parsed.links  # in-page anchors only
    assert "url(" not in page and "@import" not in page
    assert " on" not in " ".join(t for t in parsed.tags)  # no inline event handlers
    assert "@page { size: A4" in page and "@media print" in page and 'name="viewport"' in page


def test_every_question_and_theme_label_is_shown(coded, codebook):
    text = " ".join(Page(build_report(coded, codebook)).text)
    for wording in codebook.questions.values():
        assert wording in text
    for label in ("Salaris en beloning", "Werkdruk", "Leuk werk", "Collega's", "Klanten helpen"):
        assert label in text
    # Themes no answer got are named, not hidden.
    assert "Gebrek aan waardering" in text


def test_hostile_answer_text_is_escaped(coded, codebook):
    page = build_report(coded, codebook, examples_per_theme=30)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    examples = Page(page).examples
    assert HOSTILE in examples["Salaris en beloning"]  # shown as text, exactly as written


def test_hostile_labels_and_wave_names_are_escaped(coded):
    hostile_label = 'label: "Werkdruk <img src=x onerror=alert(1)>"'
    book = parse_codebook(TINY_CODEBOOK_YAML.replace("label: Werkdruk", hostile_label))
    coded.loc[coded["wave"] == AUTUMN, "wave"] = "najaar <b>2020</b>"
    page = build_report(coded, book)
    assert "<img" not in page and "<b>2020" not in page
    assert "Werkdruk &lt;img src=x onerror=alert(1)&gt;" in page and "najaar &lt;b&gt;2020&lt;/b&gt;" in page


def test_examples_come_from_their_theme_and_question(coded, codebook):
    examples = Page(build_report(coded, codebook)).examples
    texts_of = {}
    for row in coded.to_dict("records"):
        for theme in row["themes"].split(";"):
            if theme:
                texts_of.setdefault(codebook.theme(theme).label, set()).add(row["text"])
    assert set(examples) == {"Salaris en beloning", "Werkdruk", "Leuk werk", "Collega's", "Klanten helpen"}
    for label, shown in examples.items():
        assert 1 <= len(shown) <= 3
        assert len(set(shown)) == len(shown)  # the same answer is not shown twice
        assert set(shown) <= texts_of[label], label


def test_most_confident_examples_first(coded, codebook):
    coded["p_werkdruk"] = ""
    werkdruk = coded["themes"] == "werkdruk"
    coded.loc[werkdruk, "p_werkdruk"] = "0.55"
    sure = coded.index[werkdruk & (coded["wave"] == AUTUMN)][0]
    coded.loc[sure, "p_werkdruk"] = "0.97"
    shown = Page(build_report(coded, codebook)).examples["Werkdruk"]
    assert shown[0] == coded.at[sure, "text"]
    assert "probability 0.97" in build_report(coded, codebook)


def test_examples_are_pseudonymised_with_respondent_ids(coded, codebook):
    seen = {}

    def pseudonymise(texts, respondent_ids):
        seen["ids"] = list(respondent_ids)
        replaced = [t.replace("Jeroen de Vries", "[PERSOON-1]") for t in texts]
        return replaced, {"PERSOON": sum(t != r for t, r in zip(texts, replaced))}

    page = build_report(coded, codebook, pseudonymise=pseudonymise)
    assert "Jeroen" not in page
    assert "Veel stress en te veel werk, groet [PERSOON-1]" in Page(page).examples["Werkdruk"]
    assert set(seen["ids"]) <= set(coded["respondent_id"]) and seen["ids"]
    assert "1 × PERSOON" in page
    plain = build_report(coded, codebook)
    assert "Jeroen de Vries" in plain and "not pseudonymised" in plain


def test_no_examples_when_asked(coded, codebook):
    page = build_report(coded, codebook, examples_per_theme=0)
    assert Page(page).examples == {} and "Het salaris is veel te laag." not in page


def test_shift_table_shows_theme_shift_numbers_and_method(coded, codebook):
    page = build_report(coded, codebook)
    result = theme_shift(coded, list(codebook.themes))
    assert result.method["text"].replace("'", "&#x27;") in page
    rows = result.table.to_dict("records")
    werkdruk = next(r for r in rows if r["theme"] == "werkdruk")
    assert werkdruk["pct_b"] > werkdruk["pct_a"]
    assert werkdruk["diff_pp"] == werkdruk["pct_b"] - werkdruk["pct_a"]
    # Not significant after Holm, so the row is not set in bold.
    assert werkdruk["p_adjusted"] > 0.05
    assert (f'<tr><td class="theme">Werkdruk</td><td class="num">{werkdruk["pct_a"]:.1f}</td>'
            f'<td class="num">{werkdruk["pct_b"]:.1f}</td><td class="num up">▲ +{werkdruk["diff_pp"]:.1f}</td>'
            f'<td class="num ns">+{werkdruk["ci_low"]:.1f} to +{werkdruk["ci_high"]:.1f}</td>'
            f'<td class="num ns">{werkdruk["p_adjusted"]:.3f} </td></tr>') in page
    assert "Fisher" in page and "Holm" in page and "Newcombe" in page


def test_chart_intervals_are_wilson(coded, codebook):
    from statsmodels.stats.proportion import proportion_confint

    page = build_report(coded, codebook)
    low, high = proportion_confint(13, 40, alpha=0.05, method="wilson")  # salaris in spring: 13 of 40
    assert f"{SPRING} 32.5% (95% interval {100 * low:.1f}–{100 * high:.1f}; 13 of 40)" in page


def test_one_wave_has_shares_but_no_shift(coded, codebook):
    page = build_report(coded[coded["wave"] == SPRING], codebook)
    assert "<svg" in page and "one wave only" in page and "Shift from" not in page


def test_the_page_says_how_sure_the_numbers_are(coded, codebook):
    page = build_report(coded, codebook)
    assert "How these numbers were made, and how sure they are" in page
    assert "sampling variation only" in page and "was not measured" in page


def test_audit_figures(coded, codebook):
    # A person audits five spring answers and disagrees once (adds werkdruk to a salaris answer).
    ids = list(coded["id"][:5])
    sets = {i: frozenset(t for t in coded.set_index("id").at[i, "themes"].split(";") if t) for i in ids}
    sets[ids[0]] = sets[ids[0]] | {"werkdruk"}
    sets["not-in-file"] = frozenset({"salaris"})
    audit = audit_summary(coded, sets, codebook, source="audit.csv")
    assert audit["n_audited"] == 5 and audit["n_unmatched"] == 1
    assert audit["agreement"]["exact_set"] == pytest.approx(0.8)
    assert audit["agreement"]["micro_recall"] == pytest.approx(5 / 6)
    assert audit["agreement"]["micro_precision"] == 1.0
    first = audit["per_group"][0]
    assert (first["question"], first["wave"], first["audited"], first["answers"]) == ("aanbevelen", SPRING, 5, 40)
    page = build_report(coded, codebook, audit=audit)
    assert 'id="audit"' in page and "audit.csv" in page and "80.0%" in page
    assert "Audited answers" in page


@pytest.fixture(scope="module")
def model_file(codebook, tmp_path_factory):
    from kcc_text.model.training import train_model
    from kcc_text.io.answers import read_corpus
    from kcc_text.model.persistence import save_model

    folder = tmp_path_factory.mktemp("report-model")
    corpus, _ = write_training_files(folder)
    path = folder / "model.skops"
    save_model(train_model(read_corpus(corpus), label_sets_of(), codebook), path)
    return path


def test_cli_writes_report_with_model_card_and_audit(coded, model_file, tiny_codebook, tmp_path):
    from kcc_text.model.persistence import read_card

    card = read_card(model_file)
    coded_path = write_csv(tmp_path / "gecodeerd.csv", coded_rows())
    audit_path = tmp_path / "audit.csv"
    audit_path.write_text("id,theme,coder\nr1,salaris,anna\nr2,salaris,anna\nr3,,anna\n", encoding="utf-8")
    out = tmp_path / "rapport.html"
    result = runner.invoke(app, ["report", str(coded_path), "--codebook", str(tiny_codebook), "--model",
                                 str(model_file), "--audit", str(audit_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "rapport.html" in result.stdout
    page = out.read_text(encoding="utf-8")
    assert card["model_id"] in page
    assert f"{card['cross_validation']['hybrid']['micro_f1']:.3f}" in page
    assert f"{card['training_data']['n_answers']} coded answers" in page
    assert "Klanten helpen" in page.split('id="model"')[1]  # too few examples to learn, named by its label
    assert "3 answers of this file were coded by a person" in page
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_cli_refuses_to_overwrite_an_input(tiny_codebook, tmp_path):
    coded_path = write_csv(tmp_path / "gecodeerd.csv", coded_rows())
    before = coded_path.read_bytes()
    result = runner.invoke(app, ["report", str(coded_path), "-c", str(tiny_codebook), "--out", str(coded_path)])
    assert result.exit_code == 2
    assert "same file as the input" in result.stderr and "Traceback" not in result.output
    assert coded_path.read_bytes() == before


def test_cli_failure_leaves_the_old_report_untouched(tiny_codebook, tmp_path):
    not_coded = write_csv(tmp_path / "antwoorden.csv", [{"id": "r1", "text": "Het salaris is laag"}])
    out = tmp_path / "rapport.html"
    out.write_text("old report", encoding="utf-8")
    result = runner.invoke(app, ["report", str(not_coded), "-c", str(tiny_codebook), "--out", str(out)])
    assert result.exit_code == 2
    assert "antwoorden.csv" in result.stderr and "themes" in result.stderr
    assert out.read_text(encoding="utf-8") == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["antwoorden.csv", "kcc-mini.yaml", "rapport.html"]


def test_cli_wants_an_html_name(tiny_codebook, tmp_path):
    coded_path = write_csv(tmp_path / "gecodeerd.csv", coded_rows())
    result = runner.invoke(app, ["report", str(coded_path), "-c", str(tiny_codebook), "--out",
                                 str(tmp_path / "rapport.pdf")])
    assert result.exit_code == 2 and ".html" in result.stderr


def test_write_report_is_atomic(coded, codebook, tmp_path, monkeypatch):
    import kcc_text.report as report

    out = tmp_path / "rapport.html"
    write_report(out, coded, codebook)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "build_report", broken)
    with pytest.raises(RuntimeError):
        report.write_report(out, coded, codebook)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.html"]


# Rendering in headless Chromium -------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install "
                                                             "chromium); the report is not rendered in a browser")


def chromium(tmp_path, page: Path, *args: str) -> None:
    profile = tmp_path / "chromium-profile"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
    done = subprocess.run(command, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]


@pytest.fixture
def report_page(coded, codebook, tmp_path):
    return write_report(tmp_path / "rapport.html", coded, codebook)


@needs_chromium
@pytest.mark.parametrize("width", [390, 1280])
def test_screenshot_is_not_blank(report_page, tmp_path, width):
    from PIL import Image

    shot = tmp_path / f"shot-{width}.png"
    chromium(tmp_path, report_page, f"--screenshot={shot}", f"--window-size={width},2000")
    image = Image.open(shot).convert("RGB")
    assert image.size == (width, 2000)
    colours = image.getcolors(maxcolors=1 << 20)
    assert len(colours) > 50  # text, rules, bars of two waves, intervals
    ink = sum(count for count, rgb in colours if max(rgb) < 200)
    assert ink > 0.01 * width * 2000  # there is text and chart on the page, not an empty canvas
    # The dark bar colour of the latest wave is painted: the chart was drawn.
    assert any(abs(r - 0x1F) + abs(g - 0x4E) + abs(b - 0x79) < 12 for _, (r, g, b) in colours)


@needs_chromium
def test_prints_to_a4_pdf(report_page, tmp_path):
    pdf = tmp_path / "rapport.pdf"
    chromium(tmp_path, report_page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") and len(data) > 10_000
    # A4 is 595 x 842 points.
    assert b"/MediaBox [0 0 594.95996 841.91998]" in data or b"/MediaBox [0 0 595" in data
