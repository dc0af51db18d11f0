"""Theme shift: shares, Newcombe intervals, tests and corrections, checked against hand and published values."""

from __future__ import annotations

import csv
import io
import json
import math
from types import SimpleNamespace

import pandas as pd
import pytest

from kcc_text.errors import UsageError
from kcc_text.render.shift import render_shift
from kcc_text.shift import (
    AUDIT_COLUMNS,
    COLUMNS,
    GROUP_COLUMNS,
    SHARE_COLUMNS,
    shift_from_labels,
    theme_shift,
    to_csv,
    to_json,
    to_markdown,
)

SALARIS = SimpleNamespace(id="salaris", label="Salaris en beloning", questions=None)
WERKDRUK = SimpleNamespace(id="werkdruk", label="Werkdruk", questions=None)
LEUK = SimpleNamespace(id="leuk_werk", label="Leuk werk", questions=frozenset({"aanbevelen"}))
HELPEN = SimpleNamespace(id="klanten_helpen", label="Klanten helpen", questions=frozenset({"toegevoegde_waarde"}))

# Answers reuse a handful of real sentences; the statistics only see the themes. An answer without a
# theme still says something ("Gewoon een baan."): non-answers have their own tests.
SENTENCES = {"salaris": "Het salaris is veel te laag.", "werkdruk": "Veel stress en te veel werk.",
             "salaris;werkdruk": "Slecht betaald en altijd druk.", "leuk_werk": "Het werk is echt leuk.",
             "klanten_helpen": "Klanten goed helpen, daar draait het om.", "": "Gewoon een baan."}


def answers(spec, by="wave", question=None):
    """Rows from {group: [(themes, how many), ...]}; each row one answer."""
    rows = []
    for group, parts in spec.items():
        for themes, count in parts:
            for _ in range(count):
                row = {"id": f"r{len(rows) + 1}", "text": SENTENCES.get(themes, "Het is werk."), by: group,
                       "themes": themes}
                if question is not None:
                    row["question"] = question
                rows.append(row)
    return pd.DataFrame(rows)


def row_of(result, theme, question=None):
    table = result.table
    if question is not None:
        table = table[table["question"] == question]
    return table[table["theme"] == theme].iloc[0]


# --- statistics against published and hand values ----------------------------------------------


def test_interval_matches_newcombe_1998_table_ii():
    # Newcombe (1998), Stat Med 17:873, Table II example (a): 56/70 - 48/80, method 10: 0.0524 to 0.3339.
    frame = answers({"voorjaar-2020": [("salaris", 48), ("", 32)],
                     "najaar-2020": [("salaris", 56), ("", 14)]})
    row = row_of(theme_shift(frame, [SALARIS]), "salaris")
    assert (row.n_a, row.pct_a, row.n_b, row.pct_b) == (48, 60.0, 56, 80.0)
    assert row.diff_pp == 20.0
    assert (row.ci_low, row.ci_high) == pytest.approx((5.24, 33.39), abs=0.005)  # unrounded: 0.0524 to 0.3339


def test_interval_matches_newcombe_example_b_and_is_signed_b_minus_a():
    # Table II example (b): 9/10 - 3/10 gives 0.1705 to 0.8090; reversed groups flip the sign.
    frame = answers({"voorjaar-2020": [("werkdruk", 3), ("", 7)], "najaar-2020": [("werkdruk", 9), ("", 1)]})
    up = row_of(theme_shift(frame, [WERKDRUK]), "werkdruk")
    assert up.ci_low == pytest.approx(17.05, abs=0.051) and up.ci_high == pytest.approx(80.9, abs=0.051)
    down = row_of(theme_shift(frame, [WERKDRUK], group_a="najaar-2020", group_b="voorjaar-2020"), "werkdruk")
    assert down.diff_pp == -60.0
    assert down.ci_low == pytest.approx(-80.9, abs=0.051) and down.ci_high == pytest.approx(-17.05, abs=0.051)


def test_fisher_exact_p_matches_the_tea_tasting_table():
    # Fisher (1935): 3 of 4 vs 1 of 4 has two-sided p = 34/70.
    frame = answers({"voorjaar-2020": [("salaris", 3), ("", 1)], "najaar-2020": [("salaris", 1), ("", 3)]})
    result = theme_shift(frame, [SALARIS], correction="none")
    row = row_of(result, "salaris")
    assert row.p_value == pytest.approx(34 / 70, abs=5e-5)
    assert row.p_adjusted == row.p_value
    assert result.method["test"] == "fisher"


def test_chi_square_is_pearsons_without_yates_correction():
    # 10/30 vs 20/30: every expected count is 15, chi2 = 4 * 5^2 / 15 = 20/3 on 1 df.
    frame = answers({"voorjaar-2020": [("werkdruk", 10), ("", 20)], "najaar-2020": [("werkdruk", 20), ("", 10)]})
    row = row_of(theme_shift(frame, [WERKDRUK], test="chi2"), "werkdruk")
    by_hand = math.erfc(math.sqrt((20 / 3) / 2))
    assert row.p_value == pytest.approx(by_hand, rel=1e-3)
    with_yates = math.erfc(math.sqrt(5.4 / 2))
    assert abs(row.p_value - with_yates) > 0.005


def _holm(pvalues):
    order = sorted(range(len(pvalues)), key=lambda i: pvalues[i])
    adjusted, running = [0.0] * len(pvalues), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(pvalues) - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def _bh(pvalues):
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i], reverse=True)
    adjusted, running = [0.0] * m, 1.0
    for position, i in enumerate(order):
        rank = m - position
        running = min(running, m * pvalues[i] / rank)
        adjusted[i] = running
    return adjusted


THREE_THEMES = {"voorjaar-2020": [("salaris", 20), ("werkdruk", 6), ("leuk_werk", 9), ("", 25)],
                "najaar-2020": [("salaris", 8), ("werkdruk", 14), ("leuk_werk", 12), ("", 26)]}
ALL_QUESTIONS = [SALARIS, WERKDRUK, SimpleNamespace(id="leuk_werk", label="Leuk werk", questions=None)]


@pytest.mark.parametrize("correction, by_hand", [("holm", _holm), ("fdr_bh", _bh)])
def test_correction_over_the_themes_matches_the_formula(correction, by_hand):
    result = theme_shift(answers(THREE_THEMES), ALL_QUESTIONS, correction=correction)
    raw = list(result.table["p_value"])
    assert list(result.table["p_adjusted"]) == pytest.approx(by_hand(raw), rel=2e-3)
    assert result.method["correction"] == correction


def test_no_correction_leaves_p_values_alone():
    result = theme_shift(answers(THREE_THEMES), ALL_QUESTIONS, correction="none")
    assert list(result.table["p_adjusted"]) == list(result.table["p_value"])


# --- what a reader sees in the table -------------------------------------------------------------


def test_biggest_shift_first_and_diff_is_b_minus_a():
    result = theme_shift(answers(THREE_THEMES), ALL_QUESTIONS)
    table = result.table
    assert list(table.columns) == COLUMNS + SHARE_COLUMNS
    assert list(table["theme"]) == ["salaris", "werkdruk", "leuk_werk"]  # -20, +13.3, +5 points
    assert list(table["diff_pp"]) == pytest.approx([-20.0, 40 / 3, 5.0])
    assert (table["diff_pp"] == table["pct_b"] - table["pct_a"]).all()  # to the last digit
    assert row_of(result, "salaris").label == "Salaris en beloning"


def test_empty_answers_count_in_the_base():
    # 2 of 10 answers mention salary; the 8 empty answers are answers too.
    frame = answers({"voorjaar-2020": [("salaris", 2), ("", 8)], "najaar-2020": [("salaris", 5), ("", 5)]})
    row = row_of(theme_shift(frame, [SALARIS]), "salaris")
    assert (row.pct_a, row.pct_b) == (20.0, 50.0)
    assert theme_shift(frame, [SALARIS]).n == {None: {"voorjaar-2020": 10, "najaar-2020": 10}}


def test_questions_are_split_and_themes_only_where_they_apply():
    frame = pd.concat([
        answers({"voorjaar-2020": [("salaris", 4), ("leuk_werk", 6)], "najaar-2020": [("salaris", 8), ("", 2)]},
                question="aanbevelen"),
        answers({"voorjaar-2020": [("klanten_helpen", 3), ("", 7)], "najaar-2020": [("klanten_helpen", 7), ("", 3)]},
                question="toegevoegde_waarde"),
    ], ignore_index=True)
    result = theme_shift(frame, [SALARIS, LEUK, HELPEN])
    assert list(result.table.columns) == ["question"] + COLUMNS + SHARE_COLUMNS
    assert result.questions == ["aanbevelen", "toegevoegde_waarde"]
    pairs = set(zip(result.table["question"], result.table["theme"]))
    assert pairs == {("aanbevelen", "salaris"), ("aanbevelen", "leuk_werk"),
                     ("toegevoegde_waarde", "salaris"), ("toegevoegde_waarde", "klanten_helpen")}
    assert row_of(result, "salaris", "toegevoegde_waarde").n_a == 0
    # Each question is its own family: Holm multiplies by 2 there, not by 4.
    assert "per question" in result.method["family"]
    helpen = row_of(result, "klanten_helpen", "toegevoegde_waarde")
    other = row_of(result, "salaris", "toegevoegde_waarde")
    assert helpen.p_adjusted == pytest.approx(min(1, 2 * min(helpen.p_value, other.p_value)), rel=2e-3)

    only = theme_shift(frame, [SALARIS, LEUK, HELPEN], question="toegevoegde_waarde")
    assert list(only.table.columns) == COLUMNS + SHARE_COLUMNS
    assert set(only.table["theme"]) == {"salaris", "klanten_helpen"}
    assert only.n == {"toegevoegde_waarde": {"voorjaar-2020": 10, "najaar-2020": 10}}


def test_two_groups_are_compared_and_an_explicit_pair_of_three_too():
    frame = answers({"voorjaar-2020": [("salaris", 2), ("", 8)], "zomer-2020": [("salaris", 9), ("", 1)],
                     "najaar-2020": [("salaris", 5), ("", 5)], "": [("salaris", 10)]})
    two = frame[frame["wave"] != "zomer-2020"]
    assert theme_shift(two, [SALARIS]).groups == ("voorjaar-2020", "najaar-2020")
    chosen = theme_shift(frame, [SALARIS], group_a="zomer-2020", group_b="voorjaar-2020")
    assert chosen.groups == ("zomer-2020", "voorjaar-2020") and chosen.kind == "pairwise"
    assert row_of(chosen, "salaris").diff_pp == -70.0
    one_end = theme_shift(frame, [SALARIS], group_b="voorjaar-2020")
    assert one_end.groups == ("zomer-2020", "voorjaar-2020")
    assert any("group a is 'zomer-2020'" in w for w in one_end.warnings)  # said, not silent


def test_any_metadata_column_can_form_the_groups():
    frame = answers({"ja": [("leuk_werk", 8), ("salaris", 2)], "nee": [("salaris", 7), ("werkdruk", 3)]},
                    by="beveelt_aan")
    result = theme_shift(frame, None, by="beveelt_aan")
    assert result.groups == ("ja", "nee") and result.by == "beveelt_aan"
    assert set(result.table["theme"]) == {"leuk_werk", "salaris", "werkdruk"}  # taken from the data
    assert row_of(result, "leuk_werk").label == "leuk_werk"


@pytest.mark.parametrize("kwargs, named", [
    ({"by": "leeftijd"}, "columns: id, text, wave, themes"),
    ({"group_a": "winter-2021"}, "groups: voorjaar-2020, najaar-2020"),
    ({"question": "aanbevelen"}, "no 'question' column"),
    ({"group_a": "najaar-2020", "group_b": "najaar-2020"}, "both 'najaar-2020'"),
    ({"test": "t-toets"}, "fisher or chi2"),
    ({"correction": "bonferroni"}, "holm, fdr_bh, none"),
])
def test_bad_choices_name_what_exists(kwargs, named):
    frame = answers({"voorjaar-2020": [("salaris", 2)], "najaar-2020": [("salaris", 1)]})
    with pytest.raises(UsageError, match=named.replace("(", r"\(")):
        theme_shift(frame, [SALARIS], **kwargs)


def test_unknown_question_names_the_questions():
    frame = answers({"voorjaar-2020": [("salaris", 2)], "najaar-2020": [("salaris", 1)]}, question="aanbevelen")
    with pytest.raises(UsageError, match="questions: aanbevelen"):
        theme_shift(frame, [SALARIS], question="toegevoegde_waarde")


def test_a_frame_without_themes_is_refused():
    frame = answers({"voorjaar-2020": [("", 2)], "najaar-2020": [("", 1)]}).drop(columns="themes")
    with pytest.raises(UsageError, match="no 'themes' column"):
        theme_shift(frame, [SALARIS])


def test_small_cells_and_small_groups_are_warned_about():
    frame = answers({"voorjaar-2020": [("salaris", 2), ("", 18)], "najaar-2020": [("salaris", 3), ("", 17)]},
                    question="aanbevelen")
    result = theme_shift(frame, [SALARIS])
    text = " ".join(result.warnings)
    assert "expected count below 5" in text and "salaris" in text and "aanbevelen" in text
    assert "group 'voorjaar-2020' has only 20 answers" in text


def test_large_balanced_groups_give_no_warnings():
    frame = answers({"voorjaar-2020": [("salaris", 20), ("", 20)], "najaar-2020": [("salaris", 25), ("", 15)]})
    assert theme_shift(frame, [SALARIS]).warnings == []


def test_themes_missing_from_the_codebook_are_reported():
    frame = answers({"voorjaar-2020": [("salaris", 20), ("imago", 20)], "najaar-2020": [("salaris", 40)]})
    result = theme_shift(frame, [SALARIS])
    assert list(result.table["theme"]) == ["salaris"]
    assert any("imago" in w for w in result.warnings)


def test_labels_count_only_coded_answers():
    frame = answers({"voorjaar-2020": [("", 6)], "najaar-2020": [("", 6)]}).drop(columns="themes")
    coded = {"r1": {"salaris"}, "r2": set(), "r3": {"salaris", "werkdruk"},  # spring: 3 coded
             "r7": {"werkdruk"}, "r8": set(), "r9": set(), "r10": set(), "x99": {"salaris"}}
    result = shift_from_labels(frame, coded, [SALARIS, WERKDRUK])
    assert result.n == {None: {"voorjaar-2020": 3, "najaar-2020": 4}}
    salaris = row_of(result, "salaris")
    assert (salaris.n_a, salaris.pct_a, salaris.n_b, salaris.pct_b) == (2, pytest.approx(200 / 3), 0, 0.0)
    assert any("1 coded answer" in w for w in result.warnings)  # x99 is not in the answers file
    assert "coded" in result.method["base"]


# --- serialisations -------------------------------------------------------------------------------


def _two_questions():
    return pd.concat([
        answers({"voorjaar-2020": [("salaris", 12), ("werkdruk", 10), ("", 18)],
                 "najaar-2020": [("salaris", 4), ("werkdruk", 20), ("", 16)]}, question="aanbevelen"),
        answers({"voorjaar-2020": [("klanten_helpen", 15), ("", 25)],
                 "najaar-2020": [("klanten_helpen", 24), ("", 16)]}, question="toegevoegde_waarde"),
    ], ignore_index=True)


def test_csv_has_exactly_the_contract_columns():
    result = theme_shift(_two_questions(), [SALARIS, WERKDRUK, HELPEN])
    rows = list(csv.reader(io.StringIO(to_csv(result))))
    assert rows[0] == ["question", "theme", "label", "n_a", "pct_a", "n_b", "pct_b", "diff_pp", "ci_low",
                       "ci_high", "p_value", "p_adjusted", "pct_a_low", "pct_a_high", "pct_b_low", "pct_b_high"]
    assert len(rows) == 1 + len(result.table)
    first = dict(zip(rows[0], rows[1]))
    assert first["question"] == "aanbevelen" and first["theme"] == "werkdruk"
    assert (first["n_a"], first["pct_a"], first["diff_pp"]) == ("10", "25.0", "25.0")

    single = theme_shift(_two_questions(), [SALARIS, WERKDRUK, HELPEN], question="aanbevelen")
    assert to_csv(single).splitlines()[0] == ",".join(COLUMNS + SHARE_COLUMNS)


def test_csv_does_not_let_a_label_become_a_formula():
    frame = answers({"voorjaar-2020": [("salaris", 2)], "najaar-2020": [("salaris", 1)]})
    result = theme_shift(frame, [SimpleNamespace(id="salaris", label="=HYPERLINK(1)", questions=None)])
    assert "'=HYPERLINK(1)" in to_csv(result)


def test_json_names_test_interval_and_correction():
    result = theme_shift(_two_questions(), [SALARIS, WERKDRUK, HELPEN], test="chi2", correction="fdr_bh")
    data = json.loads(to_json(result))
    assert data["method"]["test"] == "chi2" and "Yates" in data["method"]["test_name"]
    assert data["method"]["interval"] == "newcombe"
    assert data["method"]["correction"] == "fdr_bh"
    assert data["method"]["confidence"] == 0.95
    assert data["groups"] == {"a": "voorjaar-2020", "b": "najaar-2020"}
    assert {"question": "aanbevelen", "group": "najaar-2020", "answers": 40, "non_answers": 0} in data["n"]
    assert len(data["rows"]) == len(result.table)
    assert set(data["rows"][0]) == {"question", *COLUMNS, *SHARE_COLUMNS}


def test_markdown_has_a_table_per_question_and_the_method():
    text = to_markdown(theme_shift(_two_questions(), [SALARIS, WERKDRUK, HELPEN]))
    assert "## Question `aanbevelen` (voorjaar-2020: n = 40, najaar-2020: n = 40)" in text
    assert "## Question `toegevoegde_waarde`" in text
    assert text.count("| " + " | ".join(COLUMNS) + " |") == 2
    assert "| werkdruk | Werkdruk | 10 | 25.0 | 20 | 50.0 | +25.0 |" in text
    assert "Newcombe" in text and "Holm" in text and "Fisher" in text


def test_terminal_table_shows_direction_and_fits_80_columns():
    from rich.console import Console

    result = theme_shift(_two_questions(), [SALARIS, WERKDRUK, HELPEN])
    console = Console(width=80, record=True, file=io.StringIO())
    for renderable in render_shift(result):
        console.print(renderable)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "▲ +25.0" in text and "▼ -20.0" in text  # werkdruk up, salaris down (aanbevelen)
    assert "aanbevelen: voorjaar-2020 (a, n=40) → najaar-2020 (b, n=40)" in text
    assert "Fisher" in text and "Newcombe" in text and "Holm" in text
    # Werkdruk (+25) comes before salaris (-20) within the question.
    assert text.index("Werkdruk") < text.index("Salaris")


def test_missing_values_from_a_notebook_frame_are_empty():
    frame = pd.DataFrame({"wave": ["voorjaar-2020", "voorjaar-2020", None, "najaar-2020", "najaar-2020"],
                          "themes": ["salaris", float("nan"), "salaris", pd.NA, "salaris;werkdruk"]})
    result = theme_shift(frame, None)
    assert result.n == {None: {"voorjaar-2020": 2, "najaar-2020": 2}}
    assert set(result.table["theme"]) == {"salaris", "werkdruk"}
    assert row_of(result, "salaris").pct_a == 50.0


def test_json_names_the_codebook_and_pipeline_that_made_the_codes():
    import json

    import pandas as pd

    from kcc_text.shift import theme_shift, to_json

    frame = pd.DataFrame({
        "wave": ["v", "v", "n", "n"], "themes": ["salaris", "", "salaris", "salaris"],
        "codebook": ["kcc@1.0.0"] * 4, "pipeline": ["spacy-blank-nl+simplemma"] * 4})
    payload = json.loads(to_json(theme_shift(frame)))
    assert payload["provenance"] == {"codebook": ["kcc@1.0.0"], "pipeline": ["spacy-blank-nl+simplemma"]}
