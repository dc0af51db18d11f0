"""`kcc-text merge`: the final dataset, where a person's latest decision replaces the machine's codes."""

from __future__ import annotations

import pandas as pd
import pytest

from cli_helpers import assert_clean_error, invoke

LABELS = """id,theme,coder,coded_at
r1,salaris,ann,2024-03-01T10:00:00+00:00
r1,werkdruk,ann,2024-03-01T10:00:00+00:00
r2,,ann,2024-03-01T10:01:00+00:00
r5,klanten_helpen,ann,2024-03-01T10:02:00+00:00
r5,collegas,bob,2024-03-02T09:00:00+00:00
"""


@pytest.fixture
def coded(tiny_corpus, tiny_codebook, tmp_path):
    out = tmp_path / "gecodeerd.csv"
    assert invoke("code", tiny_corpus, "--codebook", tiny_codebook, "--out", out).exit_code == 0
    return out


@pytest.fixture
def labels(tmp_path):
    path = tmp_path / "mensen.csv"
    path.write_text(LABELS, encoding="utf-8")
    return path


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").set_index("id")


def test_human_codes_win_and_nothing_else_changes(coded, labels, tiny_codebook, tmp_path):
    final = tmp_path / "final.csv"
    result = invoke("merge", coded, labels, "--codebook", tiny_codebook, "--out", final)
    assert result.exit_code == 0, result.output
    assert "Merged 3 human decisions (ann 2, bob 1) into 5 answers: 3 carry a person's codes, 3 of them differ" \
        in " ".join(result.stdout.split())
    before, after = read(coded), read(final)
    assert after["themes"].to_dict() == {"r1": "salaris;werkdruk", "r2": "", "r3": "", "r4": "", "r5": "collegas"}
    assert after["source"].to_dict() == {"r1": "human", "r2": "human", "r3": "machine", "r4": "machine",
                                         "r5": "human"}
    assert after.loc["r5", ["coder", "coded_at"]].tolist() == ["bob", "2024-03-02T09:00:00+00:00"]  # the latest
    assert after.loc["r1", ["th_werkdruk", "src_werkdruk", "src_salaris"]].tolist() == ["1", "human", "human"]
    assert after.loc["r2", ["th_werkdruk", "src_werkdruk", "evidence"]].tolist() == ["0", "", ""]
    assert after.loc["r5", ["th_klanten_helpen", "th_collegas"]].tolist() == ["0", "1"]
    assert after.loc[["r1", "r2", "r5"], "needs_review"].tolist() == ["0", "0", "0"]
    machine_rows = after.loc[["r3", "r4"], before.columns]
    assert machine_rows.equals(before.loc[["r3", "r4"]])  # rows nobody coded are untouched
    kept = [c for c in before.columns if c not in ("themes", "needs_review", "evidence", "source")
            and not c.startswith(("th_", "src_"))]
    assert after[kept].equals(before[kept])  # metadata, texts and the rest stay as they were


def test_shift_and_export_work_on_the_final_file(coded, labels, tiny_codebook, tmp_path):
    import io

    with labels.open("a", encoding="utf-8") as fh:
        fh.write("r3,leuk_werk,ann,2024-03-01T10:03:00+00:00\n")  # "niet leuk": the rules gave nothing
    final = tmp_path / "final.csv"
    assert invoke("merge", coded, labels, "--out", final).exit_code == 0
    shares = {}
    for name, path in (("machine", coded), ("final", final)):
        shift = invoke("shift", path, "--codebook", tiny_codebook, "--question", "aanbevelen", "-f", "csv")
        assert shift.exit_code == 0, shift.output
        shares[name] = pd.read_csv(io.StringIO(shift.stdout)).set_index("theme")
    assert (shares["machine"].loc["leuk_werk", "n_b"], shares["final"].loc["leuk_werk", "n_b"]) == (0, 1)
    project = tmp_path / "final.qdpx"
    export = invoke("export", final, "--codebook", tiny_codebook, "--out", project)
    assert export.exit_code == 0, export.output
    assert "0 machine codings (user kcc-text) and 5 human codings (ann 4, bob 1)" in " ".join(export.stdout.split())


def test_the_output_format_follows_the_name(coded, labels, tiny_codebook, tmp_path):
    from kcc_text.io.coded import read_coded

    for name in ("final.xlsx", "final.sav"):
        out = tmp_path / name
        result = invoke("merge", coded, labels, "--codebook", tiny_codebook, "--out", out)
        assert result.exit_code == 0, result.output
        back = read_coded(out).set_index("id")
        assert back.loc["r5", "themes"] == "collegas" and back.loc["r5", "source"] == "human"
    assert_clean_error(invoke("merge", coded, labels, "--out", tmp_path / "final.txt"), "final.txt")


def test_merging_again_with_more_labels_keeps_earlier_human_rows(coded, labels, tmp_path):
    first, second = tmp_path / "f1.csv", tmp_path / "f2.csv"
    assert invoke("merge", coded, labels, "--out", first).exit_code == 0
    more = tmp_path / "meer.csv"
    more.write_text("id,theme,coder,coded_at\nr3,leuk_werk,cas,2024-04-01T08:00:00+00:00\n", encoding="utf-8")
    result = invoke("merge", first, more, "--out", second)
    assert result.exit_code == 0, result.output
    assert read(second)["source"].tolist() == ["human", "human", "human", "machine", "human"]


@pytest.mark.parametrize("text, words", [
    ("id,theme\nr1,bonus\n", ["mensen.csv:2", "theme 'bonus' is not in the coded file"]),
    ("id,theme\nr1,salaris\nx9,\n", ["mensen.csv", "1 coded answer(s) are not in gecodeerd.csv: x9"]),
    ("id,theme,coder\nr1,salaris,ann\nr1,werkdruk,bob\n", ["answer r1 has different decisions by ann and bob"]),
    ("nummer,code\n1,salaris\n", ["mensen.csv", "missing column 'id'"]),
])
def test_bad_labels_are_exit_2_and_write_nothing(coded, tmp_path, text, words):
    labels = tmp_path / "mensen.csv"
    labels.write_text(text, encoding="utf-8")
    out = tmp_path / "final.csv"
    assert_clean_error(invoke("merge", coded, labels, "--out", out), *words)
    assert not out.exists()


def test_unknown_theme_against_the_codebook(coded, tiny_codebook, tmp_path):
    labels = tmp_path / "mensen.csv"
    labels.write_text("id,theme\nr1,bonus\n", encoding="utf-8")
    assert_clean_error(invoke("merge", coded, labels, "-c", tiny_codebook, "--out", tmp_path / "f.csv"),
                       "mensen.csv:2", "bonus", "not in the codebook")


def test_an_input_is_never_overwritten(coded, labels):
    before = coded.read_bytes()
    assert_clean_error(invoke("merge", coded, labels, "--out", coded), "same file as the input")
    assert coded.read_bytes() == before


def test_a_wide_output_cannot_be_merged_into(tiny_codebook, labels, tmp_path):
    wide = tmp_path / "breed.csv"
    wide.write_text("id,aanbevelen__themes,aanbevelen__salaris\nr1,salaris,1\n", encoding="utf-8")
    assert_clean_error(invoke("merge", wide, labels, "--out", tmp_path / "f.csv"), "breed.csv", "missing column")
