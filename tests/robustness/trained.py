"""One model trained by `kcc-text train --ignore-unknown-themes`, shared by the tests that need a model.

Training takes seconds; the unknown-theme tests check the run itself, the model-file tests
use its output. The run happens once per test session, whichever test asks first.
"""

from __future__ import annotations

import csv

import pytest

from cli_helpers import invoke
from conftest import TINY_CODEBOOK_YAML
from training_data import write_training_files

# Twelve misspelt or foreign theme ids: a message names the first ten and counts the rest.
UNKNOWN = ["sallaris", "werkdrukk", "vakantie", "thuiswerken", "parkeren", "kantine", "reistijd", "opleiding",
           "roosters", "zieke_collegas", "lunch", "bonus"]

_RUN: dict = {}


def write_training_with_unknown_themes(folder):
    """cb.yaml, train.csv and train.labels.csv, the labels with one row per UNKNOWN theme (for a01-a12)."""
    (folder / "cb.yaml").write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    write_training_files(folder)
    with open(folder / "train.labels.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([(f"a{i + 1:02d}", t, "A") for i, t in enumerate(UNKNOWN)])


@pytest.fixture
def trained(tmp_path_factory):
    """(CLI result, folder with model.skops) of `train --ignore-unknown-themes` on the training data."""
    if not _RUN:
        folder = tmp_path_factory.mktemp("trained")
        write_training_with_unknown_themes(folder)
        result = invoke("train", folder / "train.csv", folder / "train.labels.csv", "-c", folder / "cb.yaml",
                        "--out", folder / "model.skops", "--ignore-unknown-themes")
        assert result.exit_code == 0, result.output
        _RUN.update(result=result, folder=folder)
    return _RUN["result"], _RUN["folder"]
