"""Labels whose theme is not in the codebook: a clear error that lists them, or, when asked, left out and counted.

Never a silent drop: a misspelt or renamed theme changes what a model learns and what a
comparison counts.
"""

from __future__ import annotations

import csv

import pytest

from cli_helpers import assert_clean_error, invoke
from trained import UNKNOWN, trained, write_training_with_unknown_themes  # noqa: F401 - a fixture

from kcc_text.model.persistence import read_card

CODED = ("id,text,wave,question,themes,needs_review\n"
         "r1,Het salaris is veel te laag,voorjaar,aanbevelen,salaris,0\n"
         "r2,Veel stress en te veel werk,voorjaar,aanbevelen,werkdruk,0\n"
         "r3,Het werk is leuk,najaar,aanbevelen,leuk_werk,0\n"
         "r4,Slecht betaald en veel stress,najaar,aanbevelen,salaris;werkdruk,0\n"
         "r5,Fijne collega's,najaar,aanbevelen,collegas,0\n")


@pytest.fixture
def files(tmp_path):
    write_training_with_unknown_themes(tmp_path)
    (tmp_path / "coded.csv").write_text(CODED, encoding="utf-8")
    # Labels for the coded answers r1-r5 (and r6) with the twelve ids, and a second coder's without them.
    good = [("r1", "salaris"), ("r2", "werkdruk"), ("r3", "leuk_werk"), ("r4", "salaris"), ("r4", "werkdruk"),
            ("r5", "collegas")]
    rows = good + [("r5", UNKNOWN[0]), ("r6", UNKNOWN[0])] + [(f"r{i % 5 + 1}", t) for i, t in enumerate(UNKNOWN)]
    write_rows(tmp_path / "labels.csv", rows)
    write_rows(tmp_path / "other_coder.csv", good)
    return tmp_path


def write_rows(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "theme", "coder"])
        writer.writerows((i, t, "B") for i, t in rows)


COMMANDS = {
    "train": ["train", "{f}/train.csv", "{f}/train.labels.csv", "-c", "{f}/cb.yaml", "--out", "{f}/m.skops"],
    "evaluate": ["evaluate", "{f}/train.csv", "{f}/train.labels.csv", "-c", "{f}/cb.yaml"],
    "review": ["review", "{f}/coded.csv", "--labels", "{f}/labels.csv"],
    "agreement": ["agreement", "{f}/labels.csv", "{f}/other_coder.csv", "-c", "{f}/cb.yaml"],
    "shift --labels": ["shift", "{f}/coded.csv", "--labels", "{f}/labels.csv", "-c", "{f}/cb.yaml", "--by", "wave"],
}


def args(command, folder):
    return [a.format(f=folder) for a in COMMANDS[command]]


@pytest.mark.parametrize("command", COMMANDS)
def test_unknown_themes_are_an_error_that_lists_them(command, files):
    result = invoke(*args(command, files))
    labels = "train.labels.csv" if command in ("train", "evaluate") else "labels.csv"
    rows = 14 if labels == "labels.csv" else 12
    assert_clean_error(result, f"{files / labels}:", "12 theme ids are not in the",
                       ", ".join(UNKNOWN[:10]) + " and 2 more", f"({rows} rows)", "--ignore-unknown-themes")
    message = result.stderr
    assert "lunch" not in message and "bonus" not in message  # beyond the first ten: counted, not named
    assert not (files / "m.skops").exists()


def test_one_unknown_theme_names_it_and_its_line(files):
    write_rows(files / "labels.csv", [("r1", "salaris"), ("r2", "werkdruk"), ("r3", "sallaris")])
    result = invoke(*args("review", files))
    assert_clean_error(result, f"{files / 'labels.csv'}:4: theme 'sallaris' is not in the coded output (1 row)")


@pytest.mark.parametrize("command", ["review", "agreement", "shift --labels"])
def test_ignore_unknown_themes_says_how_many_rows_it_left_out(command, files):
    result = invoke(*args(command, files), "--ignore-unknown-themes")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: left out")]
    assert len(warnings) == 1 and "left out 14 rows of labels.csv whose theme is not in" in warnings[0]
    assert all(theme in warnings[0] for theme in UNKNOWN[:10])
    # r6 had only an unknown theme: it is not coded any more, and that is said.
    assert "1 answer had no other code and counts as not coded" in warnings[0]


def test_train_with_ignore_unknown_themes_learns_from_the_rest(trained):
    result, folder = trained
    assert "warning: left out 12 rows of train.labels.csv whose theme is not in the codebook" in result.stderr
    assert "Trained on 40 coded answers of 40" in result.stdout
    card = read_card(folder / "model.skops")
    assert card["label_counts"]["salaris"] == 10  # the same codes as without the twelve rows
