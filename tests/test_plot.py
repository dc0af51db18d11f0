"""The shift chart: real PNG/SVG files, one panel per question, Wilson intervals, written atomically."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pandas as pd
import pytest

from kcc_text.errors import UsageError
from kcc_text.analysis.plot import build_figure, plot_shift
from kcc_text.analysis.shift import theme_shift

THEMES = [SimpleNamespace(id="salaris", label="Salaris en beloning", questions=None),
          SimpleNamespace(id="werkdruk", label="Werkdruk", questions=None),
          SimpleNamespace(id="klanten_helpen", label="Klanten helpen", questions=frozenset({"toegevoegde_waarde"}))]


def _rows(question, wave, themes, count):
    text = {"salaris": "Het salaris is te laag.", "werkdruk": "Veel stress.", "klanten_helpen": "Klanten helpen.",
            "": "Gewoon een baan."}[themes]
    return [{"text": text, "wave": wave, "question": question, "themes": themes}] * count


@pytest.fixture(scope="module")
def result():
    rows = (_rows("aanbevelen", "voorjaar-2020", "salaris", 12) + _rows("aanbevelen", "voorjaar-2020", "", 28)
            + _rows("aanbevelen", "najaar-2020", "werkdruk", 15) + _rows("aanbevelen", "najaar-2020", "", 25)
            + _rows("toegevoegde_waarde", "voorjaar-2020", "klanten_helpen", 10)
            + _rows("toegevoegde_waarde", "voorjaar-2020", "", 30)
            + _rows("toegevoegde_waarde", "najaar-2020", "klanten_helpen", 20)
            + _rows("toegevoegde_waarde", "najaar-2020", "", 20))
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"r{i}" for i in range(len(frame))])
    return theme_shift(frame, THEMES)


def test_png_file_is_a_real_png(tmp_path, result):
    out = plot_shift(result, tmp_path / "verschuiving.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert os.listdir(tmp_path) == ["verschuiving.png"]  # no temporary file left behind


def test_svg_file_is_svg_xml_naming_the_groups(tmp_path, result):
    out = plot_shift(result, tmp_path / "verschuiving.SVG")
    root = ET.parse(out).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = out.read_text(encoding="utf-8")
    assert "voorjaar-2020" in text and "najaar-2020" in text  # matplotlib keeps each text as a comment


def test_other_suffix_is_refused_and_writes_nothing(tmp_path, result):
    with pytest.raises(UsageError, match=r"\.pdf.*\.png or \.svg"):
        plot_shift(result, tmp_path / "verschuiving.pdf")
    assert os.listdir(tmp_path) == []


def test_one_panel_per_question_biggest_shift_on_top(result):
    fig = build_figure(result)
    axes = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert [ax.get_title(loc="left").split()[0] for ax in axes] == ["aanbevelen", "toegevoegde_waarde"]
    labels = [tick.get_text() for tick in axes[0].get_yticklabels()]
    assert labels == ["Salaris en beloning", "Werkdruk"] or labels == ["Werkdruk", "Salaris en beloning"]
    # Werkdruk rose 37.5 points, salaris fell 30: werkdruk is drawn first (top row, y = 0).
    assert labels[0] == "Werkdruk"
    assert axes[0].get_ylim()[0] > axes[0].get_ylim()[1]  # y axis runs downward: row 0 on top


def test_wilson_interval_is_drawn_around_the_share(result):
    from statsmodels.stats.proportion import proportion_confint

    fig = build_figure(result)
    ax = [ax for ax in fig.axes if ax.get_title(loc="left").startswith("toegevoegde_waarde")][0]
    low, high = proportion_confint(20, 40, method="wilson")
    segments = [seg for coll in ax.collections for seg in coll.get_segments()]
    spans = [(min(s[:, 0]), max(s[:, 0])) for s in segments]
    assert any(lo == pytest.approx(100 * low) and hi == pytest.approx(100 * high) for lo, hi in spans)


def test_dollar_signs_in_labels_are_drawn_as_text(tmp_path):
    frame = pd.DataFrame({"wave": ["voorjaar-2020"] * 4 + ["najaar-2020"] * 4,
                          "themes": ["salaris", "salaris", "", "", "salaris", "", "", ""]})
    result = theme_shift(frame, [SimpleNamespace(id="salaris", label="Loon $ per uur $", questions=None)])
    out = plot_shift(result, tmp_path / "dollar.png")  # mathtext would fail on an unbalanced "$"
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_groups_at_0_and_100_percent_are_drawn(tmp_path):
    # Nobody in spring and everybody in autumn mentions salary: the error bars must not go negative.
    frame = pd.DataFrame({"wave": ["voorjaar-2020"] * 7 + ["najaar-2020"] * 7,
                          "text": ["Gewoon een baan."] * 7 + ["Het salaris is te laag."] * 7,
                          "themes": [""] * 7 + ["salaris"] * 7})
    result = theme_shift(frame, THEMES[:1])
    out = plot_shift(result, tmp_path / "rand.png")
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_three_waves_are_drawn_with_their_omnibus_p(tmp_path):
    rows = (_rows("aanbevelen", "voorjaar-2020", "salaris", 4) + _rows("aanbevelen", "voorjaar-2020", "", 36)
            + _rows("aanbevelen", "zomer-2020", "salaris", 12) + _rows("aanbevelen", "zomer-2020", "", 28)
            + _rows("aanbevelen", "najaar-2020", "salaris", 40))
    result = theme_shift(pd.DataFrame(rows), THEMES[:1])
    fig = build_figure(result)
    ax = [ax for ax in fig.axes if ax.get_title(loc="left")][0]
    assert "zomer-2020: n = 40" in ax.get_title(loc="left")
    assert len([c for c in ax.containers]) == 3  # one error-bar series per wave
    assert any(t.get_text().startswith("p ") for t in ax.texts)
    assert plot_shift(result, tmp_path / "golven.svg").exists()
