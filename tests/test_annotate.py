"""The annotation session driven by scripted key presses: every decision on disk at once, undo, resume."""

from __future__ import annotations

import csv
from datetime import datetime, timezone

import pandas as pd
import pytest

from kcc_text.annotate.session import (
    AnnotationSession, build_queue, coded_by, margin, plan_session, prepare_labels_file,
)
from kcc_text.codebook.definition import load_codebook
from kcc_text.coding import AnswerCode
from kcc_text.errors import InputFileError, UsageError
from kcc_text.io.labels import label_sets, read_labels

FROZEN = datetime(2024, 3, 1, 9, 30, tzinfo=timezone.utc)


def code(themes=(), scores=None, review=False):
    return AnswerCode(tuple(themes), {}, {}, scores, review)


@pytest.fixture
def codebook(tiny_codebook):
    return load_codebook(tiny_codebook)


@pytest.fixture
def frame():
    return pd.DataFrame({
        "id": ["r1", "r2", "r3", "r4"],
        "text": ["Het salaris is te laag", "Veel stress", "Klanten helpen is fijn", ""],
        "wave": ["voorjaar-2020"] * 4,
        "question": ["aanbevelen", "aanbevelen", "toegevoegde_waarde", "aanbevelen"],
    })


def session_for(items, codebook, labels, now=lambda: FROZEN):
    prepare_labels_file(labels)
    return AnnotationSession(items, codebook, "ann", labels, now=now)


def run(session, keys):
    keys = iter(keys)
    shown = []
    session.run(lambda: next(keys, ""), lambda s: shown.append(s.current.id))
    return shown


def rows(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_accept_toggle_and_no_theme_are_appended_at_once(codebook, frame, tmp_path):
    labels = tmp_path / "labels.csv"
    items = build_queue(frame, [code(["salaris"]), code(["werkdruk"]), code(["klanten_helpen"]), code()],
                        codebook, order="input")
    session = session_for(items, codebook, labels)
    keys = iter(["2", "\r"])  # r1: add werkdruk to the suggested salaris, accept
    session.run(lambda: next(keys, "q"), lambda s: None)
    assert [(r["id"], r["theme"]) for r in rows(labels)] == [("r1", "salaris"), ("r1", "werkdruk")]
    first = rows(labels)[0]
    assert first["coder"] == "ann" and first["codebook"] == "kcc-mini@1.0.0"
    assert first["wave"] == "voorjaar-2020" and first["question"] == "aanbevelen"
    assert first["coded_at"] == "2024-03-01T09:30:00.000000+00:00"
    session.stopped = False
    run(session, ["0"])  # r2: no theme
    assert rows(labels)[-1]["id"] == "r2" and rows(labels)[-1]["theme"] == ""
    assert label_sets(read_labels(labels)) == {"r1": {"salaris", "werkdruk"}, "r2": frozenset()}


def test_empty_answers_are_not_queued(codebook, frame):
    items = build_queue(frame, [code()] * 4, codebook, order="input")
    assert [i.id for i in items] == ["r1", "r2", "r3"]


def test_skip_records_nothing_and_quit_stops(codebook, frame, tmp_path):
    labels = tmp_path / "labels.csv"
    items = build_queue(frame, [code(["salaris"]), code(), code(), code()], codebook, order="input")
    session = session_for(items, codebook, labels)
    shown = run(session, ["s", "\r", "q", "\r"])
    assert shown == ["r1", "r2", "r3"]
    assert [r["id"] for r in rows(labels)] == ["r2"]
    assert session.n_skipped == 1 and session.n_saved == 1 and session.stopped


def test_undo_shows_the_previous_answer_and_a_new_decision_wins(codebook, frame, tmp_path):
    labels = tmp_path / "labels.csv"
    items = build_queue(frame, [code(["salaris"]), code(["werkdruk"]), code(), code()], codebook, order="input")
    session = session_for(items, codebook, labels)  # a frozen clock: stamps must still increase
    shown = run(session, ["\r", "\r", "u", "2", "0", "q"])
    # r1 accepted, r2 accepted, undo -> r2 again (its werkdruk preselected), toggle werkdruk off, no theme
    assert shown == ["r1", "r2", "r3", "r2", "r2", "r3"]
    stamps = [r["coded_at"] for r in rows(labels)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    assert label_sets(read_labels(labels), coder="ann") == {"r1": {"salaris"}, "r2": frozenset()}


def test_accepting_an_unchanged_decision_after_undo_appends_nothing(codebook, frame, tmp_path):
    labels = tmp_path / "labels.csv"
    items = build_queue(frame, [code(["salaris"]), code(), code(), code()], codebook, order="input")
    session = session_for(items, codebook, labels)
    shown = run(session, ["\r", "u", "\r", "q"])
    assert shown == ["r1", "r2", "r1", "r2"]
    assert len(rows(labels)) == 1 and session.n_saved == 1


def test_toggle_refuses_a_theme_the_question_does_not_ask(codebook, frame, tmp_path):
    items = build_queue(frame, [code(), code(), code(), code()], codebook, order="input")
    session = session_for(items, codebook, tmp_path / "labels.csv")
    session.handle("5")  # klanten_helpen applies to toegevoegde_waarde only; r1 answers aanbevelen
    assert session.selected == set()
    assert "does not apply" in session.message
    session.handle("%")
    assert "unknown key" in session.message


def test_least_sure_first_with_model_scores(codebook, frame):
    codes = [code(["salaris"], {"salaris": 0.95, "werkdruk": 0.02}),
             code([], {"salaris": 0.45, "werkdruk": 0.10}),
             code(["klanten_helpen"], {"klanten_helpen": 0.70}), code()]
    assert margin({"salaris": 0.45, "werkdruk": 0.10}, ["salaris", "werkdruk"]) == pytest.approx(0.05)
    items = build_queue(frame, codes, codebook)
    assert [i.id for i in items] == ["r2", "r3", "r1"]


def test_without_a_model_answers_no_rule_matched_come_first(codebook, frame):
    items = build_queue(frame, [code(["salaris"]), code(["werkdruk"]), code(review=True), code()], codebook)
    assert [i.id for i in items] == ["r3", "r1", "r2"]


def test_only_review_keeps_the_answers_that_need_a_person(codebook, frame):
    codes = [code(["salaris"]), code(review=True), code(["klanten_helpen"]), code(review=True)]
    assert [i.id for i in build_queue(frame, codes, codebook, only_review=True)] == ["r2"]


def test_labels_file_without_coder_column_is_never_rewritten(tmp_path):
    labels = tmp_path / "gold.csv"
    labels.write_text("id,theme\nr1,salaris\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="has no 'coder' column"):
        prepare_labels_file(labels)
    assert labels.read_text(encoding="utf-8") == "id,theme\nr1,salaris\n"


def test_session_resumes_after_this_coders_decisions(tiny_codebook, tiny_corpus, tmp_path):
    labels = tmp_path / "labels.csv"
    plan = plan_session(tiny_corpus, tiny_codebook, labels, "ann", order="input")
    assert [i.id for i in plan.session.items] == ["r1", "r2", "r3", "r5"]  # r4 is empty
    assert plan.session.current.suggested == ("salaris",)  # from the codebook's rules
    run(plan.session, ["\r", "\r", "q"])
    assert coded_by(labels, "ann") == {"r1", "r2"}
    again = plan_session(tiny_corpus, tiny_codebook, labels, "ann", order="input")
    assert [i.id for i in again.session.items] == ["r3", "r5"]
    assert again.n_done_before == 2
    other = plan_session(tiny_corpus, tiny_codebook, labels, "bob", order="input")
    assert len(other.session.items) == 4  # another coder starts from the beginning


def test_plan_refuses_to_write_labels_over_the_corpus(tiny_codebook, tiny_corpus):
    from kcc_text.errors import OutputPathError

    with pytest.raises(OutputPathError, match="same file as the input"):
        plan_session(tiny_corpus, tiny_codebook, tiny_corpus, "ann")
    with pytest.raises(UsageError, match="coder must name"):
        plan_session(tiny_corpus, tiny_codebook, tiny_corpus.with_name("l.csv"), "  ")
