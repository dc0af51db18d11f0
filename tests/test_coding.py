"""Coding a corpus with the codebook's rules: the coded frame and the coded CSV file."""

from __future__ import annotations

import pandas as pd
import pytest

from kcc_text.codebook.definition import load_codebook, parse_codebook
from kcc_text.coding import Coder, code_frame
from kcc_text.io.coded import format_evidence, parse_evidence, spss_name, theme_columns
from kcc_text.io.answers import read_corpus
from kcc_text.errors import UsageError
from kcc_text.jobs import code_corpus_file

THEMES = ["salaris", "werkdruk", "leuk_werk", "gebrek_aan_waardering", "klanten_helpen", "collegas"]


def read_coded(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture
def coded(tiny_corpus, tiny_codebook):
    return code_frame(read_corpus(tiny_corpus), Coder(load_codebook(tiny_codebook)))


def test_columns_in_contract_order(coded):
    assert list(coded.columns) == (
        ["id", "text", "wave", "question", "respondent_id", "leeftijd",
         "themes", "needs_review", "codebook", "pipeline", "confidence", "source", "non_answer", "evidence"]
        + [f"th_{t}" for t in THEMES] + [f"src_{t}" for t in THEMES])


def test_every_row_is_machine_coded_and_blank_answers_are_non_answers(coded):
    assert set(coded["source"]) == {"machine"}
    assert coded["non_answer"].tolist() == [0, 0, 0, 1, 0]  # r4 is blank


def test_codebook_non_answers_extend_the_dutch_default(tiny_codebook, tmp_path):
    corpus = tmp_path / "c.csv"
    corpus.write_text("id,text\nn1,zie vorige vraag\nn2,Zie vorige vraag!\nn3,n.v.t.\nn4,Het salaris\n",
                      encoding="utf-8")
    plain = code_frame(read_corpus(corpus), Coder(load_codebook(tiny_codebook)))
    assert plain["non_answer"].tolist() == [0, 0, 1, 0]
    own = tmp_path / "own.yaml"
    own.write_text(tiny_codebook.read_text(encoding="utf-8") + "non_answers:\n  - zie vorige vraag\n",
                   encoding="utf-8")
    coded = code_frame(read_corpus(corpus), Coder(load_codebook(own)))
    assert coded["non_answer"].tolist() == [1, 1, 1, 0]


def test_themes_per_answer_in_input_order(coded):
    assert coded["id"].tolist() == ["r1", "r2", "r3", "r4", "r5"]
    assert coded["themes"].tolist() == ["salaris", "werkdruk", "", "", "klanten_helpen"]
    assert coded["th_salaris"].tolist() == [1, 0, 0, 0, 0]
    assert coded["src_salaris"].tolist() == ["rules", "", "", "", ""]
    assert set(coded["codebook"]) == {"kcc-mini@1.0.0"}
    assert coded["respondent_id"].tolist() == ["007", "008", "009", "010", "011"]


def test_needs_review_only_for_words_without_a_theme(coded):
    # r3 "niet leuk" has words but no theme: a person must read it; r4 is empty.
    assert coded["needs_review"].tolist() == [0, 0, 1, 0, 0]


def test_empty_text_gets_no_theme(coded):
    row = coded[coded["id"] == "r4"].iloc[0]
    assert row["themes"] == "" and row["evidence"] == ""
    assert all(row[f"th_{t}"] == 0 for t in THEMES)


def test_evidence_column(coded):
    assert coded["evidence"].tolist()[1] == "werkdruk: stress, te veel werk"


def test_evidence_round_trip():
    evidence = {"salaris": ["loon", "slecht betaald"], "werkdruk": ["stress"]}
    text = format_evidence(evidence)
    assert text == "salaris: loon, slecht betaald | werkdruk: stress"
    assert parse_evidence(text) == evidence
    assert parse_evidence("") == {}


def test_question_decides_which_themes_apply(tiny_codebook):
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["Klanten helpen"] * 2,
                          "question": ["toegevoegde_waarde", "aanbevelen"]})
    coded = code_frame(frame, Coder(load_codebook(tiny_codebook)))
    assert coded["themes"].tolist() == ["klanten_helpen", ""]


def test_coded_file(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    summary = code_corpus_file(tiny_corpus, tiny_codebook, out)
    assert (summary.n_answers, summary.n_with_theme, summary.n_review) == (5, 3, 1)
    assert summary.codebook_ref == "kcc-mini@1.0.0"
    back = read_coded(out)
    assert back["id"].tolist() == ["r1", "r2", "r3", "r4", "r5"]
    assert back["respondent_id"].tolist()[0] == "007"
    assert back["themes"].tolist() == ["salaris", "werkdruk", "", "", "klanten_helpen"]
    assert back["needs_review"].tolist() == ["0", "0", "1", "0", "0"]


def test_coded_file_is_the_same_in_chunks(tiny_corpus, tiny_codebook, tmp_path):
    whole, chunked = tmp_path / "heel.csv", tmp_path / "stukken.csv"
    code_corpus_file(tiny_corpus, tiny_codebook, whole)
    code_corpus_file(tiny_corpus, tiny_codebook, chunked, chunk_size=2)
    assert chunked.read_bytes() == whole.read_bytes()


def test_formula_like_text_is_defused_in_the_file(tiny_codebook, tmp_path):
    corpus = tmp_path / "antwoorden.csv"
    corpus.write_text('id,text\n1,"=HYPERLINK(""http://x"",""loon"")"\n2,-te veel werk\n', encoding="utf-8")
    out = tmp_path / "gecodeerd.csv"
    code_corpus_file(corpus, tiny_codebook, out)
    back = read_coded(out)
    assert back["text"].tolist() == ["'=HYPERLINK(\"http://x\",\"loon\")", "'-te veel werk"]
    assert back["themes"].tolist()[1] == "werkdruk"


def test_header_only_corpus_gives_header_only_output(tiny_codebook, tmp_path):
    corpus = tmp_path / "leeg.csv"
    corpus.write_text("id,text\n", encoding="utf-8")
    out = tmp_path / "gecodeerd.csv"
    assert code_corpus_file(corpus, tiny_codebook, out).n_answers == 0
    assert read_coded(out).columns[:4].tolist() == ["id", "text", "themes", "needs_review"]


def test_failure_in_a_later_chunk_leaves_no_output(tiny_codebook, tmp_path):
    corpus = tmp_path / "antwoorden.csv"
    corpus.write_text("id,text\n1,loon\n2,stress\n3,collega\n1,team\n", encoding="utf-8")
    out = tmp_path / "gecodeerd.csv"
    with pytest.raises(Exception, match="duplicate id"):
        code_corpus_file(corpus, tiny_codebook, out, chunk_size=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["antwoorden.csv", "kcc-mini.yaml"]


def test_input_column_named_like_an_output_column_is_refused(tiny_codebook):
    frame = pd.DataFrame({"id": ["1"], "text": ["loon"], "themes": ["salaris"]})
    with pytest.raises(UsageError, match="themes"):
        code_frame(frame, Coder(load_codebook(tiny_codebook)))


def test_target_precision_needs_a_model(tiny_codebook):
    with pytest.raises(UsageError, match="needs a trained model"):
        Coder(load_codebook(tiny_codebook), target_precision=0.9)


def test_codebook_without_patterns_needs_a_model():
    cb = parse_codebook("codebook: t\nversion: 1.0.0\nthemes:\n  - id: salaris\n    label: Salaris\n")
    with pytest.raises(UsageError, match="trained model"):
        Coder(cb)


def test_spss_names():
    assert spss_name("th", "salaris") == "th_salaris"
    long_id = "a" + "_b" * 40
    name = spss_name("src", long_id)
    assert len(name.encode()) <= 64 and name[0].isalpha() and not name.endswith(("_", "."))


def test_theme_columns_stay_unique_after_shortening():
    base = "x" * 70
    cb = parse_codebook(f"codebook: t\nversion: 1.0.0\nthemes:\n"
                        f"  - id: {base}a\n    label: A\n  - id: {base}b\n    label: B\n"
                        f"  - id: loon\n    label: Loon\n  - id: loon_\n    label: Loon 2\n")
    names = list(theme_columns(cb.theme_ids, "th").values())
    assert len({n.lower() for n in names}) == 4
    assert all(len(n) <= 64 for n in names)
