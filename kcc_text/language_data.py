"""Word lists kept as data files in `kcc_text/data/` (negators, non-answers, ...), read one way.

A list file has `[section]` headers, one entry per line, and `#` comments.
"""

from __future__ import annotations

from importlib import resources


def read_sections(filename: str) -> dict[str, list[str]]:
    """Section name -> its entries, in file order."""
    sections: dict[str, list[str]] = {}
    current = None
    text = resources.files("kcc_text.data").joinpath(filename).read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
        else:
            sections[current].append(line)
    return sections
