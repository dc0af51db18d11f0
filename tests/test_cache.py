"""The bounded caches of a run forget their oldest entries and keep the latest."""

from kcc_text.cache import Bounded


def test_a_bounded_cache_drops_the_oldest_entry_for_a_new_one():
    cache = Bounded(3)
    for word in ("geen", "nvt", "goed salaris", "weet niet"):
        cache[word] = len(word)
    assert list(cache) == ["nvt", "goed salaris", "weet niet"]
    cache["nvt"] = 0  # updating an entry drops nothing
    assert list(cache) == ["nvt", "goed salaris", "weet niet"] and cache["nvt"] == 0
