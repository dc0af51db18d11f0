"""The canonical long answers frame: wide files, question keys checked against the codebook, names kept."""

from __future__ import annotations

import pytest

from kcc_text.codebook.definition import load_codebook, parse_codebook
from kcc_text.errors import InputFileError, UsageError
from kcc_text.io.corpus import AnswerOptions, known_questions, read_answers
from kcc_text.io.keys import answer_keys, keyed_by_question

WIDE = ("respondent,leeftijd,Q1,Q2\n"
        "r1,25-34,Klanten helpen met hun vragen,Het salaris is te laag\n"
        "r2,35-44,,Veel stress en te veel werk\n")


@pytest.fixture
def wide_file(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(WIDE, encoding="utf-8")
    return path


def wide_options(**extra):
    return AnswerOptions(id="respondent", text=("Q1=toegevoegde_waarde", "Q2=aanbevelen"), **extra)


def test_wide_file_becomes_one_row_per_respondent_and_question(wide_file, tiny_codebook):
    frame = read_answers(wide_file, wide_options(), codebook=load_codebook(tiny_codebook))
    assert list(frame.columns) == ["id", "text", "question", "respondent", "leeftijd"]
    assert frame[["id", "question", "text"]].values.tolist() == [
        ["r1", "toegevoegde_waarde", "Klanten helpen met hun vragen"],
        ["r1", "aanbevelen", "Het salaris is te laag"],
        ["r2", "toegevoegde_waarde", ""],  # an empty answer is still an answer (it gets no theme)
        ["r2", "aanbevelen", "Veel stress en te veel werk"],
    ]
    assert frame["leeftijd"].tolist() == ["25-34", "25-34", "35-44", "35-44"]


def test_several_bare_text_columns_are_each_their_own_question(wide_file):
    frame = read_answers(wide_file, AnswerOptions(id="respondent", text=("Q1", "Q2")))
    assert frame["question"].tolist() == ["Q1", "Q2", "Q1", "Q2"]


def test_a_single_bare_text_column_keeps_its_meaning(tiny_corpus):
    frame = read_answers(tiny_corpus)
    assert frame["id"].tolist() == ["r1", "r2", "r3", "r4", "r5"]
    assert list(frame.columns) == ["id", "text", "wave", "question", "respondent_id", "leeftijd"]


def test_mapped_columns_are_kept_under_their_own_names(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("nr;antwoord;meting\n1;Te veel werk;2020\n", encoding="utf-8")
    frame = read_answers(path, AnswerOptions(id="nr", text=("antwoord",), wave="meting"))
    assert list(frame.columns) == ["id", "text", "wave", "nr", "antwoord", "meting"]
    assert frame.iloc[0].tolist() == ["1", "Te veel werk", "2020", "1", "Te veel werk", "2020"]


def test_question_option_for_a_file_without_question_column(tmp_path, tiny_codebook):
    path = tmp_path / "aanbevelen.csv"
    path.write_text("id,text\n1,Het loon is laag\n", encoding="utf-8")
    frame = read_answers(path, AnswerOptions(question_key="aanbevelen"), codebook=load_codebook(tiny_codebook))
    assert frame["question"].tolist() == ["aanbevelen"]


def test_question_option_for_a_file_with_a_question_column_is_refused(tiny_corpus):
    with pytest.raises(UsageError, match="question is for a file without a question column"):
        read_answers(tiny_corpus, AnswerOptions(question_key="aanbevelen"))


def test_unknown_question_in_the_data_names_unknown_and_known_keys(tmp_path, tiny_codebook):
    path = tmp_path / "antwoorden.csv"
    path.write_text("id,text,question\n1,loon,aanbevelen\n2,stress,aanbeveling\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_answers(path, codebook=load_codebook(tiny_codebook))
    message = str(info.value)
    assert "antwoorden.csv:3" in message and "'aanbeveling'" in message
    assert "aanbevelen, toegevoegde_waarde" in message


def test_unknown_question_in_the_mapping(wide_file, tiny_codebook):
    options = AnswerOptions(id="respondent", text=("Q1=toegevoegde_waarde", "Q2=aanbevel"))
    with pytest.raises(UsageError) as info:
        read_answers(wide_file, options, codebook=load_codebook(tiny_codebook))
    assert "'aanbevel' (from --text-col)" in str(info.value) and "toegevoegde_waarde" in str(info.value)


def test_a_codebook_without_questions_accepts_any_question():
    codebook = parse_codebook("codebook: t\nversion: 1.0.0\nthemes:\n  - id: loon\n    label: Loon\n"
                              "    patterns: [loon]\n")
    assert known_questions(codebook) is None


def test_theme_questions_count_as_known(tmp_path):
    codebook = parse_codebook("codebook: t\nversion: 1.0.0\nthemes:\n  - id: loon\n    label: Loon\n"
                              "    questions: [waarom]\n")
    assert known_questions(codebook) == {"waarom"}


@pytest.mark.parametrize("text, message", [
    (("Q1=toegevoegde_waarde", "Q1=aanbevelen"), "column 'Q1' twice"),
    (("Q1=aanbevelen", "Q2=aanbevelen"), "question 'aanbevelen' to two columns"),
    (("Q1=",), "COLUMN=QUESTION"),
])
def test_contradictory_text_columns(wide_file, text, message):
    with pytest.raises(UsageError, match=message):
        read_answers(wide_file, AnswerOptions(id="respondent", text=text))


def test_wide_mapping_with_question_option_is_refused(wide_file):
    with pytest.raises(UsageError, match="question does not go with"):
        read_answers(wide_file, wide_options(question_key="aanbevelen"))


def test_missing_answer_column_names_the_columns_found(wide_file):
    with pytest.raises(InputFileError) as info:
        read_answers(wide_file, AnswerOptions(id="respondent", text=("Q1=a", "Q3=b")))
    assert "missing text column 'Q3'" in str(info.value) and "respondent, leeftijd, Q1, Q2" in str(info.value)


def test_duplicate_respondent_in_a_wide_file(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("respondent,Q1,Q2\nr1,a,b\nr1,c,d\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        read_answers(path, AnswerOptions(id="respondent", text=("Q1=x", "Q2=y")))
    assert "wide.csv:3" in str(info.value) and "duplicate id 'r1'" in str(info.value)


def test_long_file_may_repeat_an_id_across_questions_but_not_within_one(tmp_path):
    path = tmp_path / "lang.csv"
    path.write_text("id,text,question\nr1,loon,aanbevelen\nr1,klanten,toegevoegde_waarde\n", encoding="utf-8")
    assert len(read_answers(path)) == 2
    path.write_text("id,text,question\nr1,loon,aanbevelen\nr1,stress,aanbevelen\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="duplicate id 'r1' for question 'aanbevelen'"):
        read_answers(path)


def test_answer_keys_only_when_ids_repeat_across_questions(wide_file, tiny_corpus):
    wide = read_answers(wide_file, wide_options())
    assert keyed_by_question(wide)
    assert answer_keys(wide, True).tolist()[:2] == ["r1 · toegevoegde_waarde", "r1 · aanbevelen"]
    long = read_answers(tiny_corpus)
    assert not keyed_by_question(long)
    assert answer_keys(long, False).tolist()[0] == "r1"


def test_qualtrics_export_read_as_answers(tmp_path, tiny_codebook):
    from test_io_tables import write_qualtrics_csv

    path = write_qualtrics_csv(tmp_path / "qualtrics.csv")
    notices = []
    frame = read_answers(path, AnswerOptions(id="ResponseId", text=("Q1=toegevoegde_waarde", "Q2=aanbevelen")),
                         codebook=load_codebook(tiny_codebook), on_notice=notices.append)
    assert frame["id"].tolist() == ["R_1", "R_1", "R_2", "R_2"]
    assert not frame["text"].str.contains("ImportId").any()
    assert len(notices) == 1
