"""Audits in the library: the random sample, a person's latest decision, human codes put in place of the
machine's, and the auto-coding cut-off an audit certifies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kcc_text.analysis.audit import (
    HumanCode, audit_coding, draw_sample, human_rows, latest_decisions, merge_human,
)
from kcc_text.codebook.definition import parse_codebook
from kcc_text.codebook.diff import diff_codebooks
from kcc_text.errors import CodebookError, InputFileError, UsageError
from kcc_text.io.coded import with_human_codes

THEMES = ["salaris", "werkdruk", "collegas"]
TEXTS = ["Het salaris is te laag", "Veel te veel werk", "Fijne collega's", "Slecht betaald en druk",
         "Leuk team", "De werkdruk is hoog"]


def coded(n_per_group=30, waves=("voorjaar", "najaar"), questions=("aanbevelen",)):
    """A coded frame as `code` writes it: metadata, the coded columns and per theme th_/src_/p_."""
    rows = []
    for wave in waves:
        for question in questions:
            for k in range(n_per_group):
                text = TEXTS[k % len(TEXTS)]
                theme = THEMES[k % 3]
                rows.append({"id": f"{wave[:2]}-{question[:2]}-{k:03d}", "text": text, "wave": wave,
                             "question": question, "leeftijd": "25-34", "themes": theme, "needs_review": 0,
                             "codebook": "kcc-mini@1.0.0", "pipeline": "p", "model": "m",
                             "confidence": round(0.5 + (k % 10) / 20, 3), "source": "machine", "non_answer": 0,
                             "evidence": f"{theme}: woord",
                             **{f"th_{t}": int(t == theme) for t in THEMES},
                             **{f"src_{t}": "rules" if t == theme else "" for t in THEMES},
                             **{f"p_{t}": 0.9 if t == theme else 0.1 for t in THEMES}})
    return pd.DataFrame(rows)


# --- sampling -----------------------------------------------------------------------------------


def test_n_answers_from_every_wave_and_question_and_no_machine_codes():
    frame = coded(questions=("aanbevelen", "toegevoegde_waarde"))
    sample = draw_sample(frame, 7, seed=11)
    assert sample.by == ("wave", "question")
    assert [(s.values, s.answers, s.sampled) for s in sample.strata] == [
        (("voorjaar", "aanbevelen"), 30, 7), (("voorjaar", "toegevoegde_waarde"), 30, 7),
        (("najaar", "aanbevelen"), 30, 7), (("najaar", "toegevoegde_waarde"), 30, 7)]
    assert list(sample.frame.columns) == ["id", "text", "wave", "question", "leeftijd"]
    assert sample.frame.groupby(["wave", "question"]).size().tolist() == [7, 7, 7, 7]
    # rows keep the coded file's order
    positions = [frame.index[frame["id"] == i][0] for i in sample.frame["id"]]
    assert positions == sorted(positions)


def test_the_seed_decides_the_sample_and_nothing_else_does():
    frame = coded()
    first = draw_sample(frame, 10, seed=2024)
    assert draw_sample(frame, 10, seed=2024).frame.equals(first.frame)
    assert set(draw_sample(frame, 10, seed=2025).frame["id"]) != set(first.frame["id"])
    shuffled = frame.sample(frac=1, random_state=3).reset_index(drop=True)
    assert set(draw_sample(shuffled, 10, seed=2024).frame["id"]) == set(first.frame["id"])
    # A wave added later leaves the sample of the other waves as it was.
    more = pd.concat([frame, coded(waves=("winter",))], ignore_index=True)
    again = draw_sample(more, 10, seed=2024).frame
    assert set(again.loc[again["wave"] != "winter", "id"]) == set(first.frame["id"])


def test_a_small_stratum_is_taken_whole_and_non_answers_are_never_drawn():
    frame = coded(n_per_group=12)
    frame.loc[0, "text"] = ""
    frame.loc[1, ["text", "non_answer"]] = ["weet niet", 1]
    sample = draw_sample(frame, 20, by=["wave"], seed=1)
    spring = sample.strata[0]
    assert (spring.answers, spring.non_answers, spring.eligible, spring.sampled) == (12, 2, 10, 10)
    assert [s.values for s in sample.whole()] == [("voorjaar",), ("najaar",)]
    assert not set(sample.frame["id"]) & {frame.loc[0, "id"], frame.loc[1, "id"]}


def test_without_a_non_answer_column_the_dutch_list_decides():
    frame = coded(n_per_group=5, waves=("voorjaar",)).drop(columns=["non_answer"])
    frame.loc[0, "text"] = "n.v.t."
    sample = draw_sample(frame, 10, seed=1)
    assert sample.strata[0].non_answers == 1 and frame.loc[0, "id"] not in set(sample.frame["id"])


@pytest.mark.parametrize("kwargs, words", [
    (dict(n=0), ["n", "at least 1"]),
    (dict(n=5, by=["regio"]), ["no column 'regio'"]),
    (dict(n=5, seed=-1), ["seed", "at least 0"]),
])
def test_bad_sample_settings_are_refused(kwargs, words):
    kwargs.setdefault("seed", 1)
    with pytest.raises(UsageError) as error:
        draw_sample(coded(), **kwargs)
    for word in words:
        assert word in str(error.value)


# --- a person's codes ---------------------------------------------------------------------------


def labels(rows):
    return pd.DataFrame(rows, columns=["id", "theme", "coder", "coded_at"])


def test_the_latest_decision_per_answer_counts():
    decisions = latest_decisions(labels([
        ("a", "salaris", "ann", "2024-03-01T10:00"), ("a", "werkdruk", "ann", "2024-03-01T10:00"),
        ("a", "collegas", "ann", "2024-03-02T09:00"),  # ann changed her mind the next day
        ("b", "", "bob", "2024-03-01T11:00"),
    ]))
    assert decisions == {"a": HumanCode(frozenset({"collegas"}), "ann", "2024-03-02T09:00"),
                         "b": HumanCode(frozenset(), "bob", "2024-03-01T11:00")}


def test_two_equally_late_decisions_that_differ_are_refused():
    with pytest.raises(UsageError, match="answer a has different decisions by ann and bob"):
        latest_decisions(labels([("a", "salaris", "ann", ""), ("a", "werkdruk", "bob", "")]))
    same = latest_decisions(labels([("a", "salaris", "ann", ""), ("a", "salaris", "bob", "")]))
    assert same["a"].themes == {"salaris"}


def test_coded_answers_must_be_in_the_coded_file():
    frame = coded(n_per_group=3, waves=("voorjaar",))
    with pytest.raises(InputFileError, match=r"2 coded answer\(s\) are not in coded.csv: x1, x2"):
        human_rows(frame, labels([("x1", "salaris", "a", ""), ("x2", "", "a", ""), (frame["id"][0], "", "a", "")]),
                   labels_path="audit.csv", coded_path="coded.csv")


def test_answers_of_a_wide_file_are_matched_on_id_and_question():
    frame = coded(n_per_group=2, waves=("voorjaar",), questions=("aanbevelen", "toegevoegde_waarde"))
    frame["id"] = ["p1", "p2", "p1", "p2"]
    rows = pd.DataFrame([("p1", "collegas", "a", "", "toegevoegde_waarde")],
                        columns=["id", "theme", "coder", "coded_at", "question"])
    assert list(human_rows(frame, rows)) == [2]


def test_human_codes_replace_the_machines_and_nothing_else_changes():
    frame = coded(n_per_group=4, waves=("voorjaar",))
    frame.loc[0, ["themes", "evidence", "th_werkdruk", "src_werkdruk"]] = [
        "salaris;werkdruk", "salaris: laag | werkdruk: druk", 1, "model"]
    merged, summary = merge_human(frame, {0: HumanCode(frozenset({"salaris", "collegas"}), "ann", "t1")}, THEMES)
    row = merged.iloc[0]
    assert row["themes"] == "salaris;collegas"
    assert (row["th_salaris"], row["th_werkdruk"], row["th_collegas"]) == (1, 0, 1)
    assert (row["src_salaris"], row["src_werkdruk"], row["src_collegas"]) == ("human", "", "human")
    assert row["evidence"] == "salaris: laag"  # the words of the dropped werkdruk are gone
    assert (row["needs_review"], row["source"], row["coder"], row["coded_at"]) == (0, "human", "ann", "t1")
    assert row["p_werkdruk"] == frame.loc[0, "p_werkdruk"] and row["confidence"] == frame.loc[0, "confidence"]
    assert merged.drop(columns=["coder", "coded_at"]).iloc[1:].equals(frame.iloc[1:])
    assert list(merged.columns).index("coder") == list(merged.columns).index("source") + 1
    assert (summary.rows, summary.human, summary.changed, summary.coders) == (4, 1, 1, {"ann": 1})


def test_a_respondent_column_named_coder_is_not_overwritten():
    frame = coded(n_per_group=2, waves=("voorjaar",))
    frame["coder"] = ["interviewer 7", "interviewer 9"]
    with pytest.raises(UsageError, match="column 'coder' has values on rows not coded by a person"):
        with_human_codes(frame, {0: (frozenset(), "ann", "t")}, THEMES)


# --- audit-checked auto-coding ------------------------------------------------------------------


def scored_corpus(rng, n=2000):
    """Answers whose machine theme set is right with probability equal to its confidence."""
    confidence = np.round(rng.uniform(0.3, 1.0, n), 3)
    right = rng.uniform(size=n) < confidence
    machine = rng.choice(THEMES, n)
    human = np.where(right, machine, [THEMES[(THEMES.index(t) + 1) % 3] for t in machine])
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(n)], "text": ["Het salaris"] * n, "themes": machine,
                          "needs_review": 0, "confidence": confidence, "source": "machine", "evidence": "",
                          **{f"th_{t}": (machine == t).astype(int) for t in THEMES}})
    return frame, human


def test_the_cut_off_keeps_auto_coded_answers_right_at_least_p_of_the_time():
    rng = np.random.default_rng(5)
    frame, human = scored_corpus(rng)
    met, shares = 0, []
    for _ in range(20):
        audited = rng.choice(len(frame), 300, replace=False)
        decisions = {int(i): HumanCode(frozenset({human[i]}), "ann", "") for i in audited}
        out, check = audit_coding(frame, decisions, THEMES, 0.8)
        auto = (out["needs_review"] == 0) & (out["source"] == "machine")
        right = frame.loc[auto, "themes"].to_numpy() == human[auto.to_numpy()]
        met += not right.size or right.mean() >= 0.8 - 0.02  # nothing auto-coded: nothing wrong
        shares.append(check.share)
        assert set(out.loc[audited, "source"]) == {"human"}
        assert out.loc[audited, "themes"].tolist() == [human[i] for i in audited]
        if check.cutoff.cutoff is not None:
            others = out.drop(index=audited)
            assert (others["needs_review"] == (others["confidence"] < check.cutoff.cutoff).astype(int)).all()
    assert met >= 18
    assert np.mean(shares) > 0.1  # answers above confidence ~0.85 are right 90% of the time: a real share


def test_what_the_audit_can_certify_is_reported_for_three_targets():
    rng = np.random.default_rng(8)
    frame, human = scored_corpus(rng, 1000)
    decisions = {i: HumanCode(frozenset({human[i]}), "a", "") for i in range(0, 1000, 4)}
    _, check = audit_coding(frame, decisions, THEMES, 0.9)
    assert set(check.certifiable) == {0.8, 0.9, 0.95}
    shares = [check.auto_shares[t] for t in (0.8, 0.9, 0.95)]
    assert shares == sorted(shares, reverse=True)  # a higher target never auto-codes more
    assert check.n_audited == 250 and check.n_others == 750
    assert check.certifiable[0.9].cutoff == check.cutoff.cutoff


def test_an_audit_that_finds_the_machine_always_wrong_certifies_nothing():
    frame = coded(n_per_group=40, waves=("voorjaar",))
    frame.loc[5, "text"] = ""  # a blank answer needs nobody
    decisions = {i: HumanCode(frozenset({"werkdruk" if frame.loc[i, "themes"] != "werkdruk" else "salaris"}), "a", "")
                 for i in range(10, 40)}
    out, check = audit_coding(frame, decisions, THEMES, 0.8)
    assert check.cutoff.cutoff is None and check.n_auto == 1
    assert out.loc[:9, "needs_review"].tolist() == [1, 1, 1, 1, 1, 0, 1, 1, 1, 1]


def test_auto_coding_needs_the_models_confidence():
    frame = coded(n_per_group=3, waves=("voorjaar",))
    frame["confidence"] = ""
    with pytest.raises(UsageError, match="code with a trained model"):
        audit_coding(frame, {0: HumanCode(frozenset(), "a", "")}, THEMES, 0.8)


# --- the codebook's own non-answers -------------------------------------------------------------

HEAD = "codebook: t\nversion: 1.0.0\nthemes:\n  - id: salaris\n    label: Salaris\n"


def test_a_codebook_can_add_non_answers_and_they_count_in_its_hash():
    plain = parse_codebook(HEAD)
    own = parse_codebook(HEAD + "non_answers:\n  - zie vorige vraag\n  - idem\n")
    assert plain.non_answers == () and own.non_answers == ("zie vorige vraag", "idem")
    assert parse_codebook(HEAD + "non_answers: []\n").hash == plain.hash  # codebooks without the list keep theirs
    assert own.hash != plain.hash
    diff = diff_codebooks(plain, own)
    assert diff.non_answers_added == ["zie vorige vraag", "idem"] and diff.required_bump == "minor"


@pytest.mark.parametrize("tail, words", [
    ("non_answers: zie boven\n", ["must be a list of texts"]),
    ("non_answers:\n  - idem\n  - ''\n", ["non_answers item #2 must be a non-empty text", ":8"]),
    ("non_answers:\n  - [a, b]\n", ["non_answers item #1"]),
])
def test_a_bad_non_answer_list_names_the_line(tail, words):
    with pytest.raises(CodebookError) as error:
        parse_codebook(HEAD + tail, "cb.yaml")
    for word in words:
        assert word in str(error.value)
