"""Answers for the tests of the fast coding path: the bundled answers, and new ones spliced from them.

Splicing the start of one bundled answer onto the end of another (same question) gives texts
the bundled corpus does not hold, in the words survey answers use; some come out twice, as
real answers do.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = ROOT / "corpus" / "kcc-2020.csv"
BUNDLED_LABELS = ROOT / "corpus" / "kcc-2020.labels.csv"
BUNDLED_CODEBOOK = ROOT / "codebooks" / "kcc.yaml"

# Texts that test the edges of tokenising, matching and writing: spacing, quotes, line breaks,
# numbers, formula-like starts, negation and empty answers.
ODD_TEXTS = [
    "", " ", "  geen idee  ", "\tnvt", "-", "=SOM(A1:A3)", "'=1+1", "+31 6 12345678", "@collega's",
    "Het salaris is 12 euro per uur!", "12,50 euro per uur", "15 per uur", "1.5 meter afstand",
    "geen waardering, nooit een compliment", "Geen  waardering.\nWel  leuk werk", 'Ze zeggen "top"; ik niet',
    "collega’s zijn top…", "klantvriendelijk!!!", "werkdruk/stress", "thuis\u00a0werken", "a\x00b",
    "Niet leuk, maar wel afwisselend werk", "mensen helpen 😊", "COVID-19 en thuiswerken",
]

FILE_TEXTS = [t for t in ODD_TEXTS if "\x00" not in t]  # a file may not hold NUL characters


def bundled_answers() -> list[dict]:
    with BUNDLED_CORPUS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def spliced_answers(n: int, seed: int = 5) -> list[dict]:
    """`n` answers (id, text, wave, question) spliced from the bundled ones, odd texts among them."""
    rng = random.Random(seed)
    rows = [r for r in bundled_answers() if r["text"].strip()]
    out = []
    for i in range(n):
        first = rng.choice(rows)
        other = rng.choice([r for r in rows if r["question"] == first["question"]])
        a, b = first["text"].split(" "), other["text"].split(" ")
        text = " ".join(a[: rng.randrange(len(a) + 1)] + b[rng.randrange(len(b) + 1):])
        if i % 7 == 0:
            text = first["text"]  # answers repeat
        if i % 11 == 0:
            text = FILE_TEXTS[(i // 11) % len(FILE_TEXTS)]
        out.append({"id": f"g{i}", "text": text, "wave": first["wave"], "question": first["question"]})
    return out


def write_answers(path: Path, rows: list[dict], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def bundled_model(tmp_path_factory):
    """A model trained on the bundled corpus, and its file."""
    from kcc_text.jobs import train_model_file

    out = tmp_path_factory.mktemp("bundled-model") / "kcc.skops"
    return train_model_file(BUNDLED_CORPUS, BUNDLED_LABELS, BUNDLED_CODEBOOK, out).model, out
