"""Caches: the folder kept on disk between runs, and the caches of a run, whose memory must not grow with the corpus, while answers that keep coming
back stay: two generations of plain dicts.

Entries are added to the young generation; when it holds half the size it becomes the old
one and the previous old one is dropped whole. An entry read from the old generation moves
back to the young one, so an entry in use survives every turn, and one unused for `size`
additions is gone. That is least-recently-used up to one generation, at the cost of a dict lookup: an exact
LRU order (pop and re-insert on every read, delete from the front) cost more than the lookups
it saves.
"""

from __future__ import annotations

import os
from pathlib import Path

_MISSING = object()
CACHE_ENV = "KCC_TEXT_CACHE_DIR"


def cache_root() -> Path:
    """The folder of kcc-text's caches on disk (deduce's lookup lists, simplemma's trie):
    `$KCC_TEXT_CACHE_DIR`, else `$XDG_CACHE_HOME/kcc-text`, else `~/.cache/kcc-text`."""
    given = os.environ.get(CACHE_ENV)
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kcc-text"


class Bounded:
    """At most `size` entries; read with `recall`, add with `cache[key] = value`."""

    def __init__(self, size: int):
        self.size = size
        self._half = max(1, size // 2)
        self._young: dict = {}
        self._old: dict = {}

    def __setitem__(self, key, value) -> None:
        young = self._young
        young[key] = value
        if len(young) >= self._half:
            self._old, self._young = young, {}

    def recall(self, key, default=None):
        """The value of `key` (kept for another generation), or `default`."""
        value = self._young.get(key, _MISSING)
        if value is not _MISSING:
            return value
        value = self._old.get(key, _MISSING)
        if value is _MISSING:
            return default
        self[key] = value
        return value

    def __contains__(self, key) -> bool:
        return key in self._young or key in self._old

    def __len__(self) -> int:
        return len(self._young) + sum(1 for key in self._old if key not in self._young)
