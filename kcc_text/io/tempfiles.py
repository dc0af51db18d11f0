"""The one temporary file an output may leave behind, and how the next run removes it.

Every output is written to `.NAME.XXXXXXXX.part` beside it (NAME the output's file
name, XXXXXXXX eight random characters) and renamed over NAME only when complete, so a
run killed at any moment (even `kill -9`) leaves the previous NAME untouched. What it
can leave is that one `.part` file. The next run that writes NAME removes such leftovers:
only files of exactly that pattern, for that NAME, in that folder, older than the
current run, and only when no live process still writes them. A writer holds an
exclusive `flock` on its temporary file for as long as it writes; the kernel drops the
lock when the process dies, however it dies, so a free lock means an abandoned file.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

PREFIX_FORMAT = ".{name}."
SUFFIX = ".part"
# mkstemp's random part: eight characters of [a-z0-9_].
_RANDOM = r"[a-z0-9_]{8}"
# The moment this process started writing outputs: leftovers are older than it.
RUN_STARTED = time.time()


def temp_prefix(path: Path) -> str:
    return PREFIX_FORMAT.format(name=path.name)


def is_temp_of(candidate: str, path: Path) -> bool:
    """Whether a file name is a temporary file of the output `path` (and of no other output)."""
    return re.fullmatch(re.escape(temp_prefix(path)) + _RANDOM + re.escape(SUFFIX), candidate) is not None


@contextlib.contextmanager
def held(fd: int):
    """Hold an exclusive lock on a temporary file (open as `fd`) until the block ends, also after
    `fd` itself is closed: the lock marks the file as being written by a live process, until it
    has been renamed into place. The kernel drops it if the process dies."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; leftovers are then judged by age alone
        yield
        return
    keeper = os.dup(fd)  # same open file, so the same lock; outlives the writer's own handle
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(keeper, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(keeper)


def _abandoned(candidate: Path) -> bool:
    """True when no process holds the file's lock (its writer is gone)."""
    try:
        import fcntl
    except ImportError:
        return True
    try:
        fd = os.open(candidate, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a live writer holds it
    finally:
        os.close(fd)  # closing drops the lock we may have taken
    return True


def remove_stale_temps(path: str | Path) -> list[Path]:
    """Delete leftovers of earlier, interrupted writes of `path`; return what was removed."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not is_temp_of(entry.name, path):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not entry.is_file(follow_symlinks=False) or info.st_mtime >= RUN_STARTED:
            continue
        candidate = folder / entry.name
        if _abandoned(candidate):
            with contextlib.suppress(FileNotFoundError, PermissionError):
                candidate.unlink()
                removed.append(candidate)
    return removed


def fsync_folder(folder: str | Path) -> None:
    """Make a rename in `folder` survive a power cut (best effort: not every system allows it)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
