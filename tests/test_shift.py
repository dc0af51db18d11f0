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
from kcc_text.analysis.shift import (
    AUDIT_COLUMNS,
    COLUMNS,
    GROUP_AUDIT_COLUMNS,
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

    from kcc_text.analysis.shift import theme_shift, to_json

    frame = pd.DataFrame({
        "wave": ["v", "v", "n", "n"], "themes": ["salaris", "", "salaris", "salaris"],
        "codebook": ["kcc@1.0.0"] * 4, "pipeline": ["spacy-blank-nl+simplemma"] * 4})
    payload = json.loads(to_json(theme_shift(frame)))
    assert payload["provenance"] == {"codebook": ["kcc@1.0.0"], "pipeline": ["spacy-blank-nl+simplemma"]}


# --- full precision and share intervals ------------------------------------------------------------


def test_csv_and_json_carry_full_precision_and_diff_is_exactly_b_minus_a():
    # 1 of 3 against 2 of 7: shares with endless decimals.
    frame = answers({"voorjaar-2020": [("salaris", 1), ("", 2)], "najaar-2020": [("salaris", 2), ("", 5)]})
    result = theme_shift(frame, [SALARIS])
    row = next(csv.DictReader(io.StringIO(to_csv(result))))
    assert float(row["pct_a"]) == 100 / 3 and float(row["pct_b"]) == 200 / 7
    assert float(row["diff_pp"]) == float(row["pct_b"]) - float(row["pct_a"])
    data = json.loads(to_json(result))["rows"][0]
    assert data["diff_pp"] == data["pct_b"] - data["pct_a"] and data["pct_a"] == 100 / 3
    # Rounding belongs to the views.
    assert "| salaris | Salaris en beloning | 1 | 33.3 | 2 | 28.6 | -4.8 |" in to_markdown(result)


def test_each_share_has_its_wilson_interval():
    # Newcombe (1998, Stat Med 17:857) Table I: 81/263 has the Wilson interval 0.2553 to 0.3662.
    frame = answers({"voorjaar-2020": [("salaris", 81), ("", 182)], "najaar-2020": [("salaris", 0), ("", 15)]})
    row = row_of(theme_shift(frame, [SALARIS]), "salaris")
    assert (row.pct_a_low, row.pct_a_high) == pytest.approx((25.53, 36.62), abs=0.005)
    assert row.pct_b_low == 0 and row.pct_b_high == pytest.approx(100 * 3.8415 / (15 + 3.8415), abs=0.01)


# --- non-answers -----------------------------------------------------------------------------------


def _with_texts(spec, by="wave", question=None):
    """Rows from {group: [(text, themes, how many), ...]}."""
    rows = []
    for group, parts in spec.items():
        for text, themes, count in parts:
            for _ in range(count):
                row = {"id": f"r{len(rows) + 1}", "text": text, by: group, "themes": themes}
                if question is not None:
                    row["question"] = question
                rows.append(row)
    return pd.DataFrame(rows)


NON_ANSWERS = {"voorjaar-2020": [("Het salaris is veel te laag.", "salaris", 10), ("Gewoon een baan.", "", 20),
                                 ("n.v.t.", "", 5), ("", "", 3), ("Weet ik eigenlijk niet.", "", 2)],
               "najaar-2020": [("Slecht betaald.", "salaris", 15), ("Gewoon een baan.", "", 25), ("-", "", 4),
                               ("Geen idee!", "", 6)]}


def test_non_answers_are_left_out_of_the_base_and_counted():
    result = theme_shift(_with_texts(NON_ANSWERS), [SALARIS])
    row = row_of(result, "salaris")
    assert result.n == {None: {"voorjaar-2020": 30, "najaar-2020": 40}}
    assert result.non_answers == {None: {"voorjaar-2020": 10, "najaar-2020": 10}}
    assert (row.pct_a, row.pct_b) == (pytest.approx(100 / 3), 37.5)
    assert "left out" in result.method["text"]
    data = json.loads(to_json(result))
    assert {"question": None, "group": "najaar-2020", "answers": 40, "non_answers": 10} in data["n"]

    kept = theme_shift(_with_texts(NON_ANSWERS), [SALARIS], include_non_answers=True)
    assert kept.n == {None: {"voorjaar-2020": 40, "najaar-2020": 50}}
    assert (row_of(kept, "salaris").pct_a, row_of(kept, "salaris").pct_b) == (25.0, 30.0)
    assert kept.non_answers == result.non_answers and "kept" in kept.method["text"]


def test_a_non_answer_column_wins_over_the_text():
    frame = _with_texts(NON_ANSWERS)
    frame["non_answer"] = ["1" if t == "Gewoon een baan." else "0" for t in frame["text"]]
    result = theme_shift(frame, [SALARIS])
    assert result.n == {None: {"voorjaar-2020": 20, "najaar-2020": 25}}
    assert result.method["non_answers_from"] == "column"


def test_nee_is_an_answer_to_a_yes_no_question_only():
    from kcc_text.analysis.non_answers import flag_non_answers, is_non_answer

    assert is_non_answer("Nee.") and not is_non_answer("Nee.", yes_no_question=True)
    texts = ["Ja, leuk werk.", "Nee, te druk.", "Nee", "Ja want goed betaald", "Nee.",  # aanbevelen
             "Mensen helpen.", "nee", "Klanten verder helpen.", "Collega's.", "Thuiswerken."]  # toegevoegde_waarde
    questions = ["aanbevelen"] * 5 + ["toegevoegde_waarde"] * 5
    assert flag_non_answers(texts, questions) == [False] * 6 + [True] + [False] * 3
    assert [is_non_answer(t) for t in ("n.v.t.", "N.v.t", "nvt.", "--", "?", "...", "", "weet niet",
                                       "geen flauw idee sorry", "Geen mening.", "niets", "geen")] == [True] * 12
    assert not is_non_answer("weet niet of ik blijf") and not is_non_answer("geen waardering")
    assert is_non_answer("geen commentaar") and is_non_answer("nope", extra=["nope"])


# --- three or more groups -------------------------------------------------------------------------


THREE_WAVES = {"voorjaar-2020": [("salaris", 10), ("werkdruk", 2), ("", 38)],
               "zomer-2020": [("salaris", 20), ("werkdruk", 1), ("", 29)],
               "najaar-2020": [("salaris", 30), ("werkdruk", 3), ("", 17)]}


def test_three_groups_get_every_share_and_one_omnibus_test_per_theme():
    result = theme_shift(answers(THREE_WAVES), [SALARIS, WERKDRUK])
    assert result.kind == "groups" and result.groups == ("voorjaar-2020", "zomer-2020", "najaar-2020")
    assert list(result.table.columns) == GROUP_COLUMNS
    salaris = result.table[result.table["theme"] == "salaris"]
    assert list(salaris["group"]) == list(result.groups) and list(salaris["pct"]) == [20.0, 40.0, 60.0]
    # 10/50, 20/50, 30/50: chi2 = 50/3 on 2 df, p = exp(-25/3).
    assert set(salaris["test"]) == {"chi2"} and salaris["p_value"].iloc[0] == pytest.approx(math.exp(-25 / 3))
    werkdruk = result.table[result.table["theme"] == "werkdruk"]
    assert set(werkdruk["test"]) == {"monte-carlo"}  # expected counts of 2: the exact test
    # Holm over the two themes' tests.
    p_s, p_w = salaris["p_value"].iloc[0], werkdruk["p_value"].iloc[0]
    assert salaris["p_adjusted"].iloc[0] == pytest.approx(min(1, 2 * min(p_s, p_w)))
    assert list(result.table["theme"].drop_duplicates()) == ["salaris", "werkdruk"]  # biggest spread first
    again = theme_shift(answers(THREE_WAVES), [SALARIS, WERKDRUK])
    assert list(again.table["p_value"]) == list(result.table["p_value"])  # fixed seed
    data = json.loads(to_json(result))
    assert data["report"] == "groups" and data["groups"] == list(result.groups)
    assert data["method"]["test"] == "chi2-homogeneity"


def test_three_groups_table_and_markdown_show_every_group():
    from rich.console import Console

    result = theme_shift(answers(THREE_WAVES), [SALARIS, WERKDRUK])
    console = Console(width=80, record=True, file=io.StringIO())
    for renderable in render_shift(result):
        console.print(renderable)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "zomer-2020" in text and "[27.6, 53.8]" in text  # 20 of 50, Wilson
    assert "chi-square test of homogeneity" in text
    markdown = to_markdown(result)
    assert "# Theme shares by wave: voorjaar-2020, zomer-2020, najaar-2020" in markdown
    assert "| salaris | Salaris en beloning | zomer-2020 | 50 | 20 | 40.0 |" in markdown


def test_from_and_to_keep_the_pairwise_report_with_three_groups():
    result = theme_shift(answers(THREE_WAVES), [SALARIS], group_a="zomer-2020", group_b="najaar-2020")
    assert result.kind == "pairwise" and row_of(result, "salaris").diff_pp == 20.0


# --- audit-corrected shift ------------------------------------------------------------------------

# The machine finds "mensen helpen" when it is said outright and misses the indirect wording,
# which autumn answers use more: the machine-coded rise is too small.
DIRECT, INDIRECT, OTHER = "Mensen helpen, daar doe ik het voor.", "Dat iemand weer verder kan.", "Gewoon een baan."
AUDIT_WAVES = {"voorjaar-2020": [(DIRECT, "klanten_helpen", "klanten_helpen", 40),
                                 (INDIRECT, "", "klanten_helpen", 10), (OTHER, "", "", 150)],
               "najaar-2020": [(DIRECT, "klanten_helpen", "klanten_helpen", 50),
                               (INDIRECT, "", "klanten_helpen", 50), (OTHER, "", "", 100)]}


def audited_frame(spec=AUDIT_WAVES, *, fraction=0.3, seed=5, question="toegevoegde_waarde"):
    """Coded answers with their true codes, and a simple random audit of `fraction` of each wave."""
    import random

    rows, truth = [], {}
    for wave, parts in spec.items():
        for text, machine, human, count in parts:
            for _ in range(count):
                answer_id = f"r{len(rows) + 1}"
                rows.append({"id": answer_id, "text": text, "wave": wave, "question": question, "themes": machine})
                truth[answer_id] = frozenset([human] if human else [])
    frame = pd.DataFrame(rows)
    rng = random.Random(seed)
    audit = {}
    for wave, part in frame.groupby("wave"):
        for answer_id in rng.sample(list(part["id"]), round(fraction * len(part))):
            audit[answer_id] = truth[answer_id]
    return frame, audit, truth


def test_audit_corrects_the_machine_and_keeps_its_figures_beside():
    from kcc_text.analysis.ppi import ppi_share

    frame, audit, truth = audited_frame()
    result = theme_shift(frame, [HELPEN], audit=audit)
    row = row_of(result, "klanten_helpen")
    assert list(result.table.columns) == COLUMNS + SHARE_COLUMNS + AUDIT_COLUMNS
    assert (row.pct_a_machine, row.pct_b_machine) == (20.0, 25.0) and row.diff_pp_machine == 5.0
    assert (row.n_a, row.n_b) == (40, 50)  # the machine's counts
    assert (row.n_audit_a, row.n_audit_b) == (60, 60)
    # The truth: 25% -> 50%, a rise of 25 points the machine puts at 5.
    assert row.ci_low <= 25.0 <= row.ci_high and row.ci_low > 5.0
    assert row.pct_a_low <= 25.0 <= row.pct_a_high and row.pct_b_low <= 50.0 <= row.pct_b_high
    assert row.diff_pp == row.pct_b - row.pct_a and row.p_adjusted < 0.05
    # The numbers are those of the PPI++ estimator on this wave's audit.
    spring = frame[frame["wave"] == "voorjaar-2020"]
    audited = [i for i in spring["id"] if i in audit]
    others = [i for i in spring["id"] if i not in audit]
    machine = dict(zip(frame["id"], frame["themes"]))
    share = ppi_share([int("klanten_helpen" in audit[i]) for i in audited],
                      [int(machine[i] == "klanten_helpen") for i in audited],
                      [int(machine[i] == "klanten_helpen") for i in others])
    assert row.pct_a == 100 * share.estimate and row.pct_a_low == 100 * share.low
    assert result.warnings == []


def test_audit_json_names_estimator_interval_test_and_correction():
    frame, audit, _ = audited_frame()
    data = json.loads(to_json(theme_shift(frame, [HELPEN], audit=audit)))
    method = data["method"]
    assert data["audited"] is True
    assert method["estimator"] == "ppi++" and "prediction-powered inference" in method["estimator_name"]
    assert "PPI++" in method["estimator_name"] and "power-tuned" in method["estimator_name"]
    assert (method["interval"], method["test"], method["correction"]) == ("ppi-wald", "wald-z", "holm")
    assert "Wald z test" in method["test_name"]
    assert {"question": "toegevoegde_waarde", "group": "najaar-2020", "answers": 200, "non_answers": 0,
            "audited": 60} in data["n"]


def test_audit_view_says_which_numbers_are_corrected():
    from rich.console import Console

    frame, audit, _ = audited_frame()
    console = Console(width=80, record=True, file=io.StringIO())
    for renderable in render_shift(theme_shift(frame, [HELPEN], audit=audit)):
        console.print(renderable)
    text = console.export_text()
    assert "Audit-corrected (prediction-powered inference): % a, % b, b - a" in text
    assert "Wald z test" in text and max(len(line) for line in text.splitlines()) <= 80


def test_audit_of_answers_not_in_the_coded_file_or_of_unknown_themes_is_refused():
    from kcc_text.errors import InputFileError

    frame, audit, _ = audited_frame()
    with pytest.raises(InputFileError, match="1 audited answer.*not in the coded file: x404"):
        theme_shift(frame, [HELPEN], audit={**audit, "x404": frozenset()})
    first = next(iter(audit))
    with pytest.raises(InputFileError, match="audit theme.*salaris"):
        theme_shift(frame, [HELPEN], audit={**audit, first: frozenset({"salaris"})})
    # After a merge the audited rows carry the human codes: nothing left to measure the machine by.
    frame["source"] = ["human" if i in audit else "machine" for i in frame["id"]]
    with pytest.raises(UsageError, match="carry human codes"):
        theme_shift(frame, [HELPEN], audit=audit)


def test_a_small_or_picked_audit_is_warned_about_and_a_missing_one_refused():
    frame, audit, truth = audited_frame(fraction=0.1)
    result = theme_shift(frame, [HELPEN], audit=audit)
    assert any("audit of group 'voorjaar-2020' has only 20 answers" in w for w in result.warnings)
    # An audit of the answers the machine was least sure about is no random sample.
    frame["confidence"] = [0.2 if t == INDIRECT else 0.9 for t in frame["text"]]
    picked = {i: truth[i] for i, c in zip(frame["id"], frame["confidence"]) if c < 0.5}
    picked.update({i: truth[i] for i in list(frame["id"])[:30]} | {i: truth[i] for i in list(frame["id"])[200:230]})
    warned = theme_shift(frame, [HELPEN], audit=picked).warnings
    assert any("do not look like a random sample" in w and "Mann-Whitney" in w for w in warned)
    spring_only = {i: t for i, t in audit.items() if int(i[1:]) <= 200}
    with pytest.raises(UsageError, match="no audited answers in group 'najaar-2020'"):
        theme_shift(frame, [HELPEN], audit=spring_only)


def test_audit_with_three_groups_tests_equal_corrected_shares():
    spec = {**AUDIT_WAVES, "zomer-2020": [(DIRECT, "klanten_helpen", "klanten_helpen", 45),
                                          (INDIRECT, "", "klanten_helpen", 30), (OTHER, "", "", 125)]}
    frame, audit, _ = audited_frame(spec)
    result = theme_shift(frame, [HELPEN], audit=audit)
    assert result.kind == "groups" and list(result.table.columns) == GROUP_COLUMNS + GROUP_AUDIT_COLUMNS
    assert set(result.table["test"]) == {"wald"} and result.method["test"] == "wald-chi2"
    assert list(result.table["n_audit"]) == [60, 60, 60]
    assert (result.table["pct"] > result.table["pct_machine"]).all()
