"""The bounded caches of a run stay within their size and keep the answers that come back."""

from kcc_text.cache import Bounded


def test_an_entry_in_use_stays_and_an_unused_one_goes():
    cache = Bounded(4)
    cache["geen"] = 4
    for i in range(30):  # "geen" keeps coming back among 30 new answers
        cache[f"antwoord {i}"] = i
        assert cache.recall("geen") == 4
    assert cache.recall("antwoord 0") is None and cache.recall("antwoord 0", -1) == -1
    assert cache.recall("antwoord 29") == 29


def test_memory_stays_within_the_size():
    cache = Bounded(100)
    for i in range(10_000):
        cache[i] = i
        assert len(cache) <= 100
    assert 0 not in cache and 9_999 in cache
