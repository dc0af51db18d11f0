"""A dict that forgets the entries used least recently: the caches of a run, whose memory must
not grow with the corpus while answers that keep coming back stay."""

from __future__ import annotations

_MISSING = object()


class Bounded(dict):
    """At most `size` entries; adding one more drops the one used least recently. Read with
    `recall`, which counts as a use; plain reads do not."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value) -> None:
        if len(self) >= self.size and key not in self:
            del self[next(iter(self))]
        super().__setitem__(key, value)

    def recall(self, key, default=None):
        """The value of `key` (moved to the end of the line to be dropped), or `default`."""
        value = self.pop(key, _MISSING)
        if value is _MISSING:
            return default
        super().__setitem__(key, value)
        return value
