"""Coding in chunks, in worker processes or in one go gives the same file, byte for byte, as answer by answer."""

from __future__ import annotations

import pytest

from kcc_text.codebook.definition import load_codebook
from kcc_text.coding import AnswerCode, Coder
from kcc_text.errors import UsageError
from kcc_text.io.coded import coded_frame
from kcc_text.io.corpus import open_answers
from kcc_text.io.outputs import with_value_labels
from kcc_text.io.writing import write_csv_chunks_atomic
from kcc_text.jobs import code_corpus_file
from kcc_text.parsing import AnswerParser

from speed_data import (BUNDLED_CODEBOOK, BUNDLED_CORPUS, bundled_model, spliced_answers,  # noqa: F401
                        write_answers)


def answer_by_answer(corpus, out, *, model=None, delimiter=","):
    """The coded file as the path before the fast one wrote it: each answer parsed on its own
    (spaCy docs, scikit-learn's transform), coded into AnswerCodes, written by pandas."""
    codebook = load_codebook(BUNDLED_CODEBOOK)
    coder = Coder(codebook, model=model)
    coder.parser = AnswerParser(codebook, by_form=False)
    answers = open_answers(corpus, codebook=codebook, chunk_size=100)
    frames = []
    for chunk in answers.chunks:
        codes = coder.code_texts(chunk["text"].tolist(), chunk["question"].tolist())
        assert all(isinstance(c, AnswerCode) for c in codes)
        frames.append(with_value_labels(coded_frame(chunk, codes, codebook=codebook, pipeline=coder.pipeline,
                                                    model_id=model.model_id if model else None), answers.meta))
    write_csv_chunks_atomic(frames, out, delimiter=delimiter, bom=True)
    return out.read_bytes()


@pytest.fixture
def generated(tmp_path):
    return write_answers(tmp_path / "generated.csv", spliced_answers(700))


@pytest.mark.parametrize("with_model", [False, True], ids=["rules", "rules+model"])
@pytest.mark.parametrize("corpus", ["bundled", "generated"])
def test_serial_chunked_and_parallel_coding_write_the_same_bytes(tmp_path, bundled_model, generated, corpus,
                                                                   with_model):
    model, model_path = bundled_model if with_model else (None, None)
    path = BUNDLED_CORPUS if corpus == "bundled" else generated
    expected = answer_by_answer(path, tmp_path / "expected.csv", model=model)
    runs = {"one chunk": dict(chunk_size=100_000, workers=1), "chunks": dict(chunk_size=64, workers=1),
            "2 workers": dict(chunk_size=50, workers=2), "3 workers": dict(chunk_size=97, workers=3)}
    for name, options in runs.items():
        out = tmp_path / f"{name}.csv"
        summary = code_corpus_file(path, BUNDLED_CODEBOOK, out, model_path=model_path, **options)
        assert out.read_bytes() == expected, name
        assert summary.n_answers == summary.n_rows > 600


def test_semicolon_output_of_workers_is_the_same_as_answer_by_answer(tmp_path):
    path = write_answers(tmp_path / "in.csv", spliced_answers(300, seed=2), delimiter=";")
    expected = answer_by_answer(path, tmp_path / "expected.csv", delimiter=";")
    code_corpus_file(path, BUNDLED_CODEBOOK, tmp_path / "out.csv", delimiter=";", workers=2, chunk_size=40)
    assert (tmp_path / "out.csv").read_bytes() == expected


def test_workers_also_code_other_formats_in_order(tmp_path, generated):
    import pandas as pd

    code_corpus_file(generated, BUNDLED_CODEBOOK, tmp_path / "one.xlsx", workers=1)
    code_corpus_file(generated, BUNDLED_CODEBOOK, tmp_path / "two.xlsx", workers=2, chunk_size=64)
    one, two = pd.read_excel(tmp_path / "one.xlsx", dtype=str), pd.read_excel(tmp_path / "two.xlsx", dtype=str)
    assert one.equals(two)
    assert one["id"].tolist() == [f"g{i}" for i in range(700)]


def test_a_worker_count_below_one_is_refused(tmp_path, generated):
    with pytest.raises(UsageError, match="1 or more"):
        code_corpus_file(generated, BUNDLED_CODEBOOK, tmp_path / "out.csv", workers=0)
    assert not (tmp_path / "out.csv").exists()


def test_a_bad_row_found_while_workers_code_leaves_no_output(tmp_path):
    rows = spliced_answers(400)
    rows[350].update(id=rows[10]["id"], question=rows[10]["question"])  # read long after the workers started
    path = write_answers(tmp_path / "dup.csv", rows)
    from kcc_text.errors import InputFileError

    with pytest.raises(InputFileError, match="duplicate id"):
        code_corpus_file(path, BUNDLED_CODEBOOK, tmp_path / "out.csv", workers=2, chunk_size=50)
    assert list(tmp_path.iterdir()) == [path]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_text_written_without_defusing_is_only_text_defusing_would_not_change(delimiter):
    import pandas as pd

    from kcc_text.csv_coding import CsvCoder
    from kcc_text.io.writing import defuse_frame
    from speed_data import ODD_TEXTS

    texts = [t for t in ODD_TEXTS if "\x00" not in t] + ["a\n=b", 'x"\n-y', "ok", "é-", "'", "\t-"]
    for n in range(len(texts)):
        frame = pd.DataFrame({"id": [f"i{n}", "-1", "=x"], "text": [texts[n], "gewoon", texts[-n]], "p": [0.5, "", 1.0]})
        expected = defuse_frame(frame).to_csv(index=False, header=True, lineterminator="\n", sep=delimiter)
        assert "".join(r + "\n" for r in CsvCoder(None, delimiter=delimiter)._records(frame, True)) == expected


def test_only_a_large_file_is_coded_on_all_cores_by_default(tmp_path):
    from kcc_text.io.corpus import open_answers
    from kcc_text.jobs import _many_answers

    small = write_answers(tmp_path / "small.csv", spliced_answers(500))
    rows = [dict(r, id=f"{r['id']}-{copy}") for copy in range(45) for r in spliced_answers(500)]
    large = write_answers(tmp_path / "large.csv", rows)  # 22,500 answers
    for path, expected in ((small, False), (large, True)):
        first = next(open_answers(path, chunk_size=2000).chunks)
        assert _many_answers(path, first) is expected


def test_caches_that_keep_only_a_few_answers_change_nothing(tmp_path, generated, monkeypatch):
    import kcc_text.csv_coding
    import kcc_text.form_matcher
    import kcc_text.form_parsing

    for module, name in ((kcc_text.csv_coding, "CACHE_ANSWERS"), (kcc_text.form_parsing, "CACHE_TEXTS"),
                         (kcc_text.form_matcher, "MEMO_WINDOWS")):
        monkeypatch.setattr(module, name, 7)
    expected = answer_by_answer(generated, tmp_path / "expected.csv")
    code_corpus_file(generated, BUNDLED_CODEBOOK, tmp_path / "out.csv", chunk_size=40, workers=1)
    assert (tmp_path / "out.csv").read_bytes() == expected
