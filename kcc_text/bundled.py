"""The bundled codebook and corpus, shipped inside the package (`kcc_text/data/`).

They are package data, found with importlib.resources, so `kcc-text demo` works after
`pip install` from any directory. In a checkout, `codebooks/kcc.yaml` and `corpus/kcc-2020*.csv`
are links to the same files.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import UsageError


@dataclass(frozen=True)
class BundledData:
    codebook: Path
    corpus: Path
    labels: Path
    labels_coder2: Path


def bundled_data() -> BundledData:
    """The files shipped with the package."""
    root = Path(str(resources.files("kcc_text") / "data"))
    return BundledData(codebook=root / "codebooks" / "kcc.yaml", corpus=root / "corpus" / "kcc-2020.csv",
                       labels=root / "corpus" / "kcc-2020.labels.csv",
                       labels_coder2=root / "corpus" / "kcc-2020.labels.coder2.csv")


def find_bundled(folder: Path | None = None) -> BundledData:
    """The shipped data, or the same files under `folder` (which holds codebooks/ and corpus/)."""
    if folder is None:
        data = bundled_data()
    else:
        folder = Path(folder)
        data = BundledData(codebook=folder / "codebooks" / "kcc.yaml", corpus=folder / "corpus" / "kcc-2020.csv",
                           labels=folder / "corpus" / "kcc-2020.labels.csv",
                           labels_coder2=folder / "corpus" / "kcc-2020.labels.coder2.csv")
    missing = [p for p in (data.codebook, data.corpus, data.labels, data.labels_coder2) if not p.is_file()]
    if missing:
        where = "the installed package" if folder is None else str(folder)
        raise UsageError(f"bundled data not found in {where}: {missing[0]} is missing")
    return data
