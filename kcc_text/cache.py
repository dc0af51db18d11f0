"""A dict that forgets its oldest entries: the caches of a run, whose memory must not grow with the corpus."""

from __future__ import annotations


class Bounded(dict):
    """At most `size` entries; adding one more drops the oldest (first added), so answers that keep
    coming back are added again after they were dropped, and rare ones do not stay for good."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __setitem__(self, key, value) -> None:
        if len(self) >= self.size and key not in self:
            del self[next(iter(self))]
        super().__setitem__(key, value)
