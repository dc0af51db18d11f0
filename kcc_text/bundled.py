"""Where the bundled codebook and corpus live: beside the package in a checkout, or in the cwd."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError


@dataclass(frozen=True)
class BundledData:
    root: Path

    @property
    def codebook(self) -> Path:
        return self.root / "codebooks" / "kcc.yaml"

    @property
    def corpus(self) -> Path:
        return self.root / "corpus" / "kcc-2020.csv"

    @property
    def labels(self) -> Path:
        return self.root / "corpus" / "kcc-2020.labels.csv"

    @property
    def labels_coder2(self) -> Path:
        return self.root / "corpus" / "kcc-2020.labels.coder2.csv"


def find_bundled(start: Path | None = None) -> BundledData:
    """The project folder holding codebooks/kcc.yaml and corpus/kcc-2020.csv."""
    candidates = [Path(start)] if start else [Path.cwd(), Path(__file__).resolve().parents[1]]
    for candidate in candidates:
        data = BundledData(candidate)
        if data.codebook.exists() and data.corpus.exists():
            return data
    raise UsageError("bundled data not found: run from the kcc-text checkout (which holds codebooks/kcc.yaml "
                     "and corpus/kcc-2020.csv) or pass --data-dir")
