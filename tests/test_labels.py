"""Human codes: reading the long format, the latest decision per answer, appending safely."""

from __future__ import annotations

import pytest

from kcc_text.errors import InputFileError
from kcc_text.io.labels import LABEL_COLUMNS, append_labels, label_sets, read_labels, sets_to_rows

THEMES = ["salaris", "werkdruk", "leuk_werk", "collegas"]


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_read_labels_long_format(tmp_path):
    path = write(tmp_path / "labels.csv", "id,theme\nr1,salaris\nr1,werkdruk\nr2,collegas\n")
    labels = read_labels(path, THEMES)
    assert labels["id"].tolist() == ["r1", "r1", "r2"]
    assert label_sets(labels) == {"r1": frozenset({"salaris", "werkdruk"}), "r2": frozenset({"collegas"})}


def test_empty_theme_means_coded_with_no_theme(tmp_path):
    path = write(tmp_path / "labels.csv", "id,theme\nr1,salaris\nr2,\n")
    sets = label_sets(read_labels(path, THEMES))
    assert sets["r2"] == frozenset()
    assert "r3" not in sets  # absent: not coded


def test_unknown_theme_names_file_line_and_theme(tmp_path):
    path = write(tmp_path / "labels.csv", "id,theme\nr1,salaris\nr2,sallaris\n")
    with pytest.raises(InputFileError) as info:
        read_labels(path, THEMES)
    assert str(info.value).startswith(f"{path}:3: ")
    assert "sallaris" in str(info.value)


def test_unknown_theme_is_fine_without_a_codebook(tmp_path):
    path = write(tmp_path / "labels.csv", "id,theme\nr1,iets_anders\n")
    assert label_sets(read_labels(path)) == {"r1": frozenset({"iets_anders"})}


def test_missing_theme_column(tmp_path):
    path = write(tmp_path / "labels.csv", "id,code\nr1,salaris\n")
    with pytest.raises(InputFileError, match="missing column 'theme'") as info:
        read_labels(path, THEMES)
    assert "labels.csv" in str(info.value)


def test_latest_decision_wins_per_answer(tmp_path):
    path = write(tmp_path / "labels.csv",
                 "id,theme,coder,coded_at\n"
                 "r1,salaris,anna,2024-03-01T10:00:00\n"
                 "r1,werkdruk,anna,2024-03-01T10:00:00\n"
                 "r2,leuk_werk,anna,2024-03-01T10:00:00\n"
                 "r1,werkdruk,anna,2024-03-02T09:00:00\n"
                 "r2,,anna,2024-03-02T09:00:00\n")
    sets = label_sets(read_labels(path, THEMES))
    assert sets == {"r1": frozenset({"werkdruk"}), "r2": frozenset()}


def test_label_sets_per_coder(tmp_path):
    path = write(tmp_path / "labels.csv",
                 "id,theme,coder,coded_at\nr1,salaris,anna,1\nr1,werkdruk,bram,1\nr2,collegas,bram,1\n")
    labels = read_labels(path, THEMES)
    assert label_sets(labels, coder="anna") == {"r1": frozenset({"salaris"})}
    assert label_sets(labels, coder="bram") == {"r1": frozenset({"werkdruk"}), "r2": frozenset({"collegas"})}


def test_sets_to_rows_round_trip(tmp_path):
    rows = sets_to_rows({"r1": {"werkdruk", "salaris"}, "r2": set()}, coder="anna")
    assert rows == [{"id": "r1", "theme": "salaris", "coder": "anna"},
                    {"id": "r1", "theme": "werkdruk", "coder": "anna"},
                    {"id": "r2", "theme": "", "coder": "anna"}]
    path = tmp_path / "labels.csv"
    append_labels(path, rows)
    assert label_sets(read_labels(path, THEMES)) == {"r1": frozenset({"salaris", "werkdruk"}), "r2": frozenset()}


def test_append_labels_writes_header_once_and_never_rewrites(tmp_path):
    path = tmp_path / "labels.csv"
    append_labels(path, [{"id": "r1", "theme": "salaris", "coder": "anna", "coded_at": "1"}])
    first = path.read_bytes()
    assert first.decode("utf-8").splitlines()[0] == ",".join(LABEL_COLUMNS)
    append_labels(path, [{"id": "r2", "theme": "", "coder": "anna", "coded_at": "2"}])
    second = path.read_bytes()
    assert second.startswith(first)
    lines = second.decode("utf-8").splitlines()
    assert lines.count(",".join(LABEL_COLUMNS)) == 1
    assert len(lines) == 3
    assert label_sets(read_labels(path, THEMES)) == {"r1": frozenset({"salaris"}), "r2": frozenset()}


def test_append_labels_follows_existing_header(tmp_path):
    path = write(tmp_path / "labels.csv", "theme,id\nsalaris,r1\n")
    append_labels(path, [{"id": "r2", "theme": "werkdruk", "coder": "anna"}])
    assert path.read_text(encoding="utf-8") == "theme,id\nsalaris,r1\nwerkdruk,r2\n"


def test_append_labels_to_file_without_final_newline(tmp_path):
    path = write(tmp_path / "labels.csv", "id,theme\nr1,salaris")
    append_labels(path, [{"id": "r2", "theme": "werkdruk"}])
    assert label_sets(read_labels(path, THEMES)) == {"r1": frozenset({"salaris"}), "r2": frozenset({"werkdruk"})}


def test_append_labels_refuses_a_file_that_is_not_labels(tmp_path):
    path = write(tmp_path / "antwoorden.csv", "id,text\nr1,Het salaris is laag\n")
    before = path.read_bytes()
    with pytest.raises(InputFileError) as info:
        append_labels(path, [{"id": "r2", "theme": "werkdruk"}])
    assert "antwoorden.csv" in str(info.value)
    assert path.read_bytes() == before
