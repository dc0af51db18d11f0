"""Reviewing the machine against people: counts, confident errors first, filters, readable rendering."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from kcc_text.errors import InputFileError, UsageError
from kcc_text.render.review import highlighted, review_view
from kcc_text.analysis.review import NO_THEME
from kcc_text.jobs import review_files

HEADER = "id,text,wave,question,themes,needs_review,codebook,evidence,th_salaris,th_werkdruk,src_salaris,src_werkdruk"
RULES_CODED = HEADER + """
r1,Het salaris is veel te laag en de werkdruk is hoog.,voorjaar-2020,aanbevelen,salaris;werkdruk,0,mini@1.0.0,salaris: salaris | werkdruk: werkdruk,1,1,rules,rules
r2,"Veel stress, weinig loon",voorjaar-2020,aanbevelen,werkdruk,0,mini@1.0.0,werkdruk: stress,0,1,,rules
r3,Het Loon is prima en het salaris ook,najaar-2020,aanbevelen,salaris,0,mini@1.0.0,"salaris: loon, salaris",1,0,rules,
r4,Leuke collega's,najaar-2020,aanbevelen,,1,mini@1.0.0,,0,0,,
r5,Loon valt mee,najaar-2020,toegevoegde_waarde,salaris,0,mini@1.0.0,salaris: loon,1,0,rules,
"""
LABELS = "id,theme\nr1,salaris\nr2,salaris\nr2,werkdruk\nr3,\nr4,werkdruk\nr5,\nr9,salaris\n"


@pytest.fixture
def rules_files(tmp_path):
    coded = tmp_path / "coded.csv"
    coded.write_text(RULES_CODED, encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text(LABELS, encoding="utf-8")
    return coded, labels


@pytest.fixture
def model_files(tmp_path):
    coded = tmp_path / "coded_model.csv"
    coded.write_text(
        "id,text,themes,needs_review,codebook,evidence,th_salaris,src_salaris,p_salaris,model\n"
        "m1,Het loon is goed,salaris,0,mini@1.0.0,salaris: loon,1,both,0.62,m\n"
        "m2,Mijn salaris klopt,salaris,0,mini@1.0.0,salaris: salaris,1,both,0.97,m\n"
        "m3,Te weinig betaald,,1,mini@1.0.0,,0,,0.41,m\n"
        "m4,Slecht betaald werk,,0,mini@1.0.0,,0,,0.05,m\n",
        encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text("id,theme\nm1,\nm2,\nm3,salaris\nm4,salaris\n", encoding="utf-8")
    return coded, labels


def test_counts_precision_and_recall_per_theme(rules_files):
    result = review_files(*rules_files)
    salaris, werkdruk = result.themes
    assert result.n_answers == 5
    assert result.n_labels_not_coded == 1  # r9
    assert (salaris.tp, salaris.fp, salaris.fn) == (1, 2, 1)
    assert salaris.precision == pytest.approx(1 / 3) and salaris.recall == pytest.approx(1 / 2)
    assert (werkdruk.tp, werkdruk.fp, werkdruk.fn) == (1, 1, 1)
    assert not result.has_scores


def test_rules_only_false_positives_with_most_matched_words_first(rules_files):
    salaris = review_files(*rules_files).themes[0]
    assert [i.id for i in salaris.false_positives] == ["r3", "r5"]  # two matched words before one
    first = salaris.false_positives[0]
    assert first.kind == "FP" and first.source == "rules" and first.score is None
    assert first.highlight == ("loon", "salaris")
    assert [i.id for i in salaris.false_negatives] == ["r2"]
    assert salaris.false_negatives[0].machine == ("werkdruk",)


def test_confusions_name_what_the_other_side_said(rules_files):
    salaris, werkdruk = review_files(*rules_files).themes
    assert dict(salaris.confusions) == {NO_THEME: 2}  # people gave r3 and r5 no theme
    assert dict(werkdruk.confusions) == {NO_THEME: 1}  # the machine gave r4 nothing


def test_model_scores_put_the_most_confident_errors_first(model_files):
    result = review_files(*model_files)
    salaris = result.themes[0]
    assert result.has_scores
    assert [(i.id, i.score) for i in salaris.false_positives] == [("m2", 0.97), ("m1", 0.62)]
    assert [(i.id, i.score) for i in salaris.false_negatives] == [("m4", 0.05), ("m3", 0.41)]


def test_filters_and_limit(rules_files):
    result = review_files(*rules_files, themes=["salaris"], waves=["najaar-2020"], limit=1)
    assert [t.theme for t in result.themes] == ["salaris"]
    assert result.n_answers == 3
    salaris = result.themes[0]
    assert salaris.fp == 2 and len(salaris.false_positives) == 1
    by_question = review_files(*rules_files, questions=["toegevoegde_waarde"])
    assert by_question.n_answers == 1


def test_unknown_filter_values_name_what_exists(rules_files):
    with pytest.raises(UsageError, match=r"theme 'loon' is not in the coded output \(themes: salaris, werkdruk\)"):
        review_files(*rules_files, themes=["loon"])
    with pytest.raises(UsageError, match="the waves are: voorjaar-2020, najaar-2020"):
        review_files(*rules_files, waves=["zomer-2020"])
    with pytest.raises(UsageError, match="the questions are: aanbevelen, toegevoegde_waarde"):
        review_files(*rules_files, questions=["waarom"])


def test_no_overlap_and_wrong_files_are_errors(rules_files, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("id,theme\nx1,salaris\n", encoding="utf-8")
    with pytest.raises(UsageError, match="no answer of coded.csv is in the labels file"):
        review_files(rules_files[0], other)
    with pytest.raises(InputFileError, match="missing column 'themes'"):
        review_files(rules_files[1], rules_files[1])
    wrong_theme = tmp_path / "wrong.csv"
    wrong_theme.write_text("id,theme\nr1,parkeren\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="theme 'parkeren'"):
        review_files(rules_files[0], wrong_theme)


def test_highlight_is_case_insensitive_and_visible_without_colour():
    plain = highlighted("Het Loon is prima, het loonstrookje niet", ["loon"], "bold", plain=True)
    assert plain.plain == "Het [Loon] is prima, het loonstrookje niet"
    styled = highlighted("Het Loon is prima", ["loon"], "bold")
    assert styled.plain == "Het Loon is prima"
    assert [(s.start, s.end) for s in styled.spans] == [(4, 8)]


def test_rendering_stays_within_80_columns_and_cuts_long_answers(rules_files, tmp_path):
    long_text = "Het salaris is laag. " + "Ik werk hier al heel lang en het wordt steeds drukker. " * 12
    coded = tmp_path / "long.csv"
    coded.write_text(RULES_CODED + f'r6,"{long_text}",najaar-2020,aanbevelen,salaris,0,mini@1.0.0,'
                     "salaris: salaris,1,0,rules,\n", encoding="utf-8")
    labels = tmp_path / "long_labels.csv"
    labels.write_text(LABELS + "r6,\n", encoding="utf-8")
    buffer = io.StringIO()
    Console(file=buffer, width=80, force_terminal=False).print(review_view(review_files(coded, labels), plain=True))
    output = buffer.getvalue()
    assert max(len(line) for line in output.splitlines()) <= 80
    assert "[salaris]" in output
    assert "…" in output  # the long answer is cut
    assert output.count("steeds drukker") < 12
    assert "false positives" in output and "false negatives" in output
