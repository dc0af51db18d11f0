"""The answer ids seen so far in a file read in chunks, kept in 8 bytes each.

Checking that ids are unique across the chunks of a streamed corpus needs every id seen
so far. As Python strings in a set that is about 100 bytes per answer: 1 GB of memory
for a 1 GB file of short answers, which defeats reading it in chunks. Here each earlier
chunk's ids are kept as sorted 64-bit hashes (numpy arrays, merged so that there are
only about log2(n) of them), and a new chunk is looked up with a binary search.

Within one chunk ids are compared exactly. Across chunks two different ids could share
a 64-bit hash; the chance of any such pair among n ids is about n**2 / 2**65 (one in
370,000 for ten million answers), and it would show as a "duplicate id" error naming a
line whose id is in fact unique, never as a silent mistake.
"""

from __future__ import annotations

from collections.abc import Sequence


class SeenIds:
    """Ids of earlier chunks; `first_repeat` checks and records the next chunk."""

    def __init__(self) -> None:
        self._runs: list = []  # sorted int64 arrays, longest first
        self.count = 0

    def first_repeat(self, ids: Sequence[str]) -> int | None:
        """The position in `ids` of the first id already seen (earlier in `ids` or in an earlier
        chunk), or None; without a repeat, `ids` are recorded as seen."""
        import numpy as np

        hashes = np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))
        earlier = np.zeros(len(hashes), dtype=bool)
        for run in self._runs:
            where = np.minimum(np.searchsorted(run, hashes), len(run) - 1)
            earlier |= run[where] == hashes
        here: set[str] = set()
        for position, answer_id in enumerate(ids):
            if earlier[position] or answer_id in here:
                return position
            here.add(answer_id)
        self._record(np.sort(hashes))
        return None

    def _record(self, run) -> None:
        import numpy as np

        if not len(run):
            return
        # Merge while the last run is not much longer than the new one: each id is merged
        # about log2(n) times in all, and lookups search about log2(n) runs.
        while self._runs and len(self._runs[-1]) <= 2 * len(run):
            run = np.sort(np.concatenate((self._runs.pop(), run)), kind="stable")
        self._runs.append(run)
        self.count = sum(len(r) for r in self._runs)
