"""simplemma's Dutch dictionary, read from a trie cached on disk instead of decoded on every start.

simplemma ships its dictionaries front-coded; decoding the Dutch one into a dict takes half a
second to a second in every process that lemmatises, more than coding a few thousand answers.
simplemma's own `TrieDictionaryFactory` (marisa-trie) reads a trie file in about a millisecond,
and its lookups give the same lemmas (the trie is built from the same dictionary). kcc-text keeps
that file in its cache folder (`cache.cache_root`), one per simplemma version, and writes it
atomically, so that runs side by side never read half a file.
Where the folder cannot be written, or marisa-trie is missing, simplemma's default is used.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..cache import cache_root

LANGUAGE = "nl"


def dutch_lemmatize():
    """simplemma's `lemmatize(token, lang)` over the cached trie, or simplemma's default."""
    import simplemma

    try:
        from simplemma import Lemmatizer
        from simplemma.strategies import DefaultStrategy
        from simplemma.strategies.dictionaries.trie_dictionary_factory import TrieDictionaryFactory

        folder = cache_root() / f"simplemma-{simplemma.__version__}"
        if not (folder / f"{LANGUAGE}.dic").exists():
            _build(folder, TrieDictionaryFactory)
        factory = TrieDictionaryFactory(disk_cache_dir=str(folder))
        strategy = DefaultStrategy(dictionary_factory=factory)
        lemmatizer = Lemmatizer(lemmatization_strategy=strategy)
        lemmatizer.lemmatize("werkt", lang=LANGUAGE)  # loads the trie now, so a bad file shows here
        return lemmatizer.lemmatize
    except (ImportError, OSError, TypeError, ValueError, RuntimeError):
        return simplemma.lemmatize


def _build(folder: Path, factory_class) -> None:
    """Write the trie next to its final place, then move it there in one step."""
    folder.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=folder))
    try:
        factory_class(disk_cache_dir=str(scratch)).get_dictionary(LANGUAGE)
        os.replace(scratch / f"{LANGUAGE}.dic", folder / f"{LANGUAGE}.dic")
    finally:
        for leftover in scratch.glob("*"):
            leftover.unlink(missing_ok=True)
        scratch.rmdir()
