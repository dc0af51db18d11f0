"""Shared fixtures: a tiny Dutch codebook and a tiny corpus, written to the test's tmp_path.

Other test files may use `tiny_codebook` and `tiny_corpus`; keep their content stable
(tests assert which answer gets which theme).
"""

from __future__ import annotations

import os
import textwrap

import pytest

# Train with lexical features unless a test asks for embeddings: the embedding engine codes about 30
# answers a second, and the suite trains many models (tests of the semantic path set --features).
os.environ.setdefault("KCC_TEXT_FEATURES", "lexical")
# Caches (simplemma's Dutch dictionary as a trie) in one folder for the session and its CLI
# subprocesses, not in the user's cache folder.
if "KCC_TEXT_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["KCC_TEXT_CACHE_DIR"] = tempfile.mkdtemp(prefix="kcc-text-test-cache-")

TINY_CODEBOOK_YAML = textwrap.dedent("""\
    codebook: kcc-mini
    version: 1.0.0
    language: nl
    questions:
      toegevoegde_waarde: Wat is de toegevoegde waarde van het KCC?
      aanbevelen: Zou u werken bij het KCC aanbevelen, en waarom?
    themes:
      - id: salaris
        label: Salaris en beloning
        description: Hoogte van het loon en de beloning.
        patterns:
          - salaris
          - loon
          - slecht|matig betaald
      - id: werkdruk
        label: Werkdruk
        patterns:
          - werkdruk
          - stress
          - te? veel werk
      - id: leuk_werk
        label: Leuk werk
        negation: exclude
        patterns:
          - leuk
          - plezier
      - id: gebrek_aan_waardering
        label: Gebrek aan waardering
        patterns:
          - pattern: waardering
            negation: require
          - ondergewaardeerd
      - id: klanten_helpen
        label: Klanten helpen
        questions: [toegevoegde_waarde]
        patterns:
          - klant * helpen
          - klant helpen
      - id: collegas
        label: Collega's
        patterns:
          - collega
          - team*
    """)

# One answer per line of behaviour the tests check; "007" checks metadata stays text.
TINY_CORPUS_ROWS = [
    ("id", "text", "wave", "question", "respondent_id", "leeftijd"),
    ("r1", "Het salaris is veel te laag.", "voorjaar-2020", "aanbevelen", "007", "25-34"),
    ("r2", "Veel stress en te veel werk", "voorjaar-2020", "aanbevelen", "008", "35-44"),
    ("r3", "Het werk is niet leuk", "najaar-2020", "aanbevelen", "009", "25-34"),
    ("r4", "", "najaar-2020", "toegevoegde_waarde", "010", "45-54"),
    ("r5", "Klanten goed helpen, daar draait het om", "najaar-2020", "toegevoegde_waarde", "011", "18-24"),
]


def write_tiny_corpus(path) -> None:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(TINY_CORPUS_ROWS)


@pytest.fixture
def tiny_codebook(tmp_path):
    """Path to a six-theme Dutch codebook (kcc-mini@1.0.0) with every kind of pattern."""
    path = tmp_path / "kcc-mini.yaml"
    path.write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    return path


@pytest.fixture
def tiny_corpus(tmp_path):
    """Path to a five-answer UTF-8 CSV: id, text, wave, question, respondent_id, leeftijd."""
    path = tmp_path / "antwoorden.csv"
    write_tiny_corpus(path)
    return path
