"""The fast parse path finds what the answer-by-answer path finds: same tokens, negation, evidence, rows."""

from __future__ import annotations

import numpy as np
import pytest

from kcc_text.codebook.definition import load_codebook
from kcc_text.nlp.forms import tokenise
from kcc_text.nlp.pipeline import load_pipeline, mark_negation, normalise
from kcc_text.parsing import AnswerParser

from speed_data import BUNDLED_CODEBOOK, ODD_TEXTS, bundled_answers, spliced_answers


@pytest.fixture(scope="module")
def parser():
    return AnswerParser(load_codebook(BUNDLED_CODEBOOK))


def _both(parser, rows):
    texts = [r["text"] for r in rows]
    questions = [r["question"] for r in rows]
    fast = parser.parse(texts, questions)
    assert fast.records is not None  # the embedded pipeline takes the fast path
    slow = parser._parse_docs(fast.texts, fast.questions, fast.applies, fast.empty, 512)
    return fast, slow


@pytest.mark.parametrize("rows", [bundled_answers(), spliced_answers(1500)], ids=["bundled", "spliced"])
def test_evidence_and_model_rows_are_those_of_the_answer_by_answer_path(parser, rows):
    fast, slow = _both(parser, rows)
    assert [list(e.items()) for e in fast.evidence] == [list(e.items()) for e in slow.evidence]
    assert (fast.rule_hits == slow.rule_hits).all()
    assert fast.rows.equals(slow.rows)
    assert sum(bool(e) for e in fast.evidence) > len(rows) / 2  # the patterns do find things


def test_a_number_pattern_left_to_spacy_matches_as_spacy_matches_it(parser):
    # salaris has {LIKE_NUM, euro?, per, uur|maand}: spaCy's greedy matching, shown beside "euro per uur".
    fast, slow = _both(parser, [{"text": t, "question": "aanbevelen"} for t in
                                ("Het salaris is 12 euro per uur!", "15 per uur is te weinig", "12 13 per maand")])
    assert fast.evidence == slow.evidence
    assert fast.evidence[0]["salaris"] == ["salaris", "12 euro per uur", "euro per uur"]


def test_a_pattern_spacy_alone_can_run_still_finds_its_answers(tmp_path):
    codebook = tmp_path / "cb.yaml"
    codebook.write_text(
        "codebook: regex\nversion: 1.0.0\nthemes:\n"
        "  - id: bedrag\n    label: Bedrag\n    patterns:\n"
        "      - {tokens: [{TEXT: {REGEX: '^[0-9]+$'}}, {LOWER: euro}]}\n"
        "      - loon\n", encoding="utf-8")
    parser = AnswerParser(load_codebook(codebook))
    fast, slow = _both(parser, [{"text": t, "question": None} for t in
                                ("Maar 10 euro, en het loon is laag", "tien euro", "")])
    assert fast.evidence == slow.evidence
    assert fast.evidence[0] == {"bedrag": ["10 euro", "loon"]}


@pytest.mark.parametrize("text", ODD_TEXTS + [r["text"] for r in bundled_answers()[:200]])
@pytest.mark.parametrize("neighbour", ["en  dan\ndit ", "en  dan\ndit"], ids=["one apart", "all together"])
def test_tokens_of_texts_tokenised_together_are_those_of_each_on_its_own(text, neighbour):
    tokenizer = load_pipeline().tokenizer.tokenizer
    texts = ["Eerst dit.", normalise(text), neighbour, normalise(text)]
    orth, idx, counts = tokenise(tokenizer, texts)
    at = 0
    for t, count in zip(texts, counts.tolist()):
        doc = tokenizer(t)
        assert orth[at:at + count].tolist() == [token.orth for token in doc]
        assert idx[at:at + count].tolist() == [token.idx for token in doc]
        at += count


def test_negation_marks_of_a_batch_are_those_of_each_answer(parser):
    rows = spliced_answers(300) + [{"text": t} for t in ("niet, maar geen", "geen geen geen niet werk", "")]
    texts = [normalise(r["text"]) for r in rows]
    forms = parser.forms.forms
    batch = forms.batch(*tokenise(parser.nlp.tokenizer.tokenizer, texts))
    starts = batch.starts.tolist()
    for i, _text in enumerate(texts):
        lowers = [forms.lower[f] for f in batch.forms[starts[i]:starts[i + 1]].tolist()]
        assert batch.negated[starts[i]:starts[i + 1]].tolist() == mark_negation(lowers)
    assert np.any(batch.negated)


def test_the_same_text_is_parsed_once_and_filtered_per_question(parser):
    text = "Leuk werk, maar het salaris is slecht en de klanten helpen is mooi"
    fast = parser.parse([text, text], ["aanbevelen", "toegevoegde_waarde"])
    assert fast.records[0] is fast.records[1]
    themes = load_codebook(BUNDLED_CODEBOOK).themes
    for evidence, question in zip(fast.evidence, ("aanbevelen", "toegevoegde_waarde")):
        assert all(t.applies_to(question) for t in themes if t.id in evidence)


def test_tokens_of_a_batch_of_many_texts_are_those_of_each_text():
    tokenizer = load_pipeline().tokenizer.tokenizer
    texts = [normalise(r["text"]) for r in spliced_answers(300, seed=4)]
    for batch in (texts, [t for t in texts if t and not t[-1].isspace()]):  # with and without odd ones
        orth, idx, counts = tokenise(tokenizer, batch)
        assert counts.sum() == len(orth) == len(idx)
        at = 0
        for t, count in zip(batch, counts.tolist()):
            doc = tokenizer(t)
            assert (orth[at:at + count].tolist(), idx[at:at + count].tolist()) == \
                ([token.orth for token in doc], [token.idx for token in doc])
            at += count
