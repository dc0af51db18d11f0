"""The bounded caches of a run forget the answers used least recently and keep those that come back."""

from kcc_text.cache import Bounded


def test_a_bounded_cache_drops_the_entry_used_least_recently():
    cache = Bounded(3)
    for word in ("geen", "nvt", "goed salaris"):
        cache[word] = len(word)
    assert cache.recall("geen") == 4  # "geen" came back: "nvt" is now the oldest in use
    cache["weet niet"] = 9
    assert list(cache) == ["goed salaris", "geen", "weet niet"]
    assert cache.recall("nvt") is None and cache.recall("nvt", 0) == 0
    cache["geen"] = 0  # updating an entry drops nothing
    assert len(cache) == 3 and cache["geen"] == 0
