"""Loading deduce (Dutch de-identification) fast and offline, with its lookup lists built once.

deduce ships its name, place and institution lists as text files inside its wheel and
turns them into lookup structures on first use, pickled by default into its own
site-packages folder. Two things make that unfit for a command-line tool:

- with all lists, building takes minutes and every later start 20-60 s, and nearly all of
  that is two lists that open answers about contact-centre work hardly need: 310,000 street
  names (streets are still found by deduce's street-suffix pattern, "...straat", "...laan",
  "...weg", with the house number) and 49,000 care providers (general practices, care homes;
  the 367 hospitals and their abbreviations stay). Without them building takes seconds and
  a start about one second;
- site-packages may be read-only, and two processes building at once must not corrupt it.

So the lists are copied, without those two, into a user cache folder
(`$KCC_TEXT_CACHE_DIR`, else `$XDG_CACHE_HOME/kcc-text`, else `~/.cache/kcc-text`),
built there in a temporary folder and renamed into place in one step; if the cache
cannot be written, they are built in a temporary folder for this run only. Nothing is
downloaded: every list comes from the installed deduce package.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

# Raise this when the choice of lists below changes, so that old caches are not reused.
LISTS_VERSION = 1
# Relative to deduce's `data/lookup/src`: lists emptied in the copy (see the module docstring).
LEFT_OUT = (
    "locations/lst_street/items.txt",
    "locations/lst_street/streets_bag.txt",
    "institutions/lst_healthcare_institution/items.txt",
)

# deduce's phone pattern wants the area code right after +31/0031 ("+31612345678"); respondents
# also write "+31 6 1234 5678", "+31 (0)6 12345678" and "0031 6 12345678". And its area code
# "7" misses 070-79 followed by a separator ("070-3456789"). Same groups as deduce's own pattern
# (its annotator reads groups 1, 3 and 4); added: one optional space and "(0)" after the country
# code, and "7" with an optional second digit.
PHONE_REGEXP = (
    r"(?<!\d)(\(?(0031|\+31|0) ?(?:\(0\) ?)?"
    r"(1[035]|2[0347]|3[03568]|4[03456]|5[0358]|6|7\d?|88|800|91|90[069]|[1-5]\d{2})\)?)"
    r" ?-? ?((\d{2,4}[ -]?)+\d{2,4})"
)
# The phone annotator outranks the generic "7 or more digits" id pattern, which otherwise wins
# a tie over a phone number written without separators ("0612345678").
DEDUCE_CONFIG = {"annotators": {"phone": {"args": {"phone_regexp": PHONE_REGEXP, "priority": 1}}}}


def deduce_version() -> str:
    return importlib.metadata.version("deduce")


def lists_dir() -> Path:
    """Where the built lookup structures of this deduce version and list choice live."""
    from ..cache import cache_root

    return cache_root() / f"deduce-{deduce_version()}-lists{LISTS_VERSION}"


def _pickle(folder: Path) -> Path:
    return folder / "cache" / "lookup_structs.pickle"


def _source_lists() -> Path:
    return Path(str(resources.files("deduce.data.lookup") / "src"))


def _copy_lists(target: Path) -> None:
    source = _source_lists()
    shutil.copytree(source, target / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for relative in LEFT_OUT:
        (target / "src" / relative).write_text("", encoding="utf-8")


def import_deduce():
    """Import deduce without the logging set-up it does on import.

    deduce calls `logging.basicConfig(stream=sys.stdout, level=DEBUG)` when imported, which
    would send every library's debug messages into the tool's standard output.
    """
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import deduce

    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    return deduce


@contextlib.contextmanager
def _quiet_build():
    """deduce announces "Please wait 1-2 minutes" on the root logger; the slim build takes seconds."""
    previous = logging.root.manager.disable
    logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(previous)


def load_deduce():
    """A ready `deduce.Deduce` on the slimmed lists: built into the cache on first use."""
    deduce = import_deduce()
    target = lists_dir()
    if _pickle(target).is_file():
        with _quiet_build():
            return deduce.Deduce(config=DEDUCE_CONFIG, lookup_data_path=target, cache_path=target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
        keep = True
    except OSError:  # no writable cache: build for this run only
        build = Path(tempfile.mkdtemp(prefix="kcc-text-deduce-"))
        keep = False
    try:
        _copy_lists(build)
        with _quiet_build():
            model = deduce.Deduce(config=DEDUCE_CONFIG, lookup_data_path=build, cache_path=build)
        if keep:
            try:
                os.rename(build, target)  # atomic; fails if another process got there first
            except OSError:
                pass
            else:
                build = None
        return model
    finally:
        # deduce reads the list folder only while it is being constructed.
        if build is not None:
            shutil.rmtree(build, ignore_errors=True)


def common_words() -> frozenset[str]:
    """deduce's list of about 1,000 most frequent Dutch words, lower-cased, as shipped.

    deduce itself removes surnames and places from it ("koning", "groot", "best") before using
    it as a whitelist; here the whole list tells that a capitalised word at the start of a
    sentence is most likely just a word.
    """
    items = resources.files("deduce.data.lookup") / "src" / "whitelist" / "lst_common_word" / "items.txt"
    return frozenset(line.strip().lower() for line in items.read_text(encoding="utf-8").splitlines()
                     if line.strip())
