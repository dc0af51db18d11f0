"""The audit sample file (`kcc-text sample`): answers in the corpus format, and a JSON sidecar.

`AUDIT.csv` holds the drawn answers with the answers file's columns (never the machine's
codes, so that it can be coded blind), as UTF-8 CSV with a byte-order mark and formula
defusing like a coded CSV. `AUDIT.csv.json` records how it was drawn. The sidecar also tells
the answers reader that the CSV was defused, so that `annotate` shows each answer as written.
"""

from __future__ import annotations

import json
from pathlib import Path

KIND = "kcc-text audit sample"


def sidecar_path(path) -> Path:
    """`AUDIT.csv` -> `AUDIT.csv.json`."""
    path = Path(path)
    return path.with_name(path.name + ".json")


def is_audit_sample(path) -> bool:
    """Whether `path` was written by `kcc-text sample` (its sidecar says so)."""
    try:
        record = json.loads(sidecar_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record.get("kind") == KIND


def write_audit_sample(frame, record: dict, out) -> None:
    """Write the sample and its sidecar; both are complete under temporary names before either is renamed."""
    from .writing import atomic_writer, defuse_frame

    with atomic_writer(sidecar_path(out)) as side, atomic_writer(out, encoding="utf-8-sig") as fh:
        defuse_frame(frame).to_csv(fh, index=False, lineterminator="\n")
        side.write(json.dumps({"kind": KIND, **record}, indent=2, ensure_ascii=False) + "\n")
