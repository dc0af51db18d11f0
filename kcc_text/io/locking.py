"""One writer per labels file: an advisory lock beside it, `LABELS.lock`.

Two `annotate` sessions appending to one labels file would each decide which answers are
left from what they read at the start, and code the same answers twice. The second one
therefore refuses to start. The lock is an `flock` on `LABELS.lock`; the kernel releases
it when its process ends, however it ends (also `kill -9`), so a lock file left behind
by a killed session never blocks the next one: only a live process holds the lock.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import InputFileError

LOCK_SUFFIX = ".lock"


def lock_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + LOCK_SUFFIX)


@contextlib.contextmanager
def exclusive(path: str | Path, what: str = "annotate") -> Iterator[Path]:
    """Hold the lock of `path` (a labels file) for the block, or refuse at once naming the lock."""
    try:
        import fcntl
    except ImportError:  # no flock (Windows): appends are still whole lines, see labels.append_labels
        yield lock_path(path)
        return
    lock = lock_path(path)
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as error:
            raise InputFileError(f"cannot create the lock file {lock.name} ({error.strerror})", path) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _holder(fd)
            os.close(fd)
            raise InputFileError(
                f"is in use by another `kcc-text {what}`{holder}, which holds the lock {lock}; "
                "finish that session first, or code into another labels file", path) from None
        # The previous holder may have removed the lock file between our open and our lock:
        # then we hold a lock on a file nobody else can see. Try again on the current one.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield lock
    finally:
        # Remove it while still holding it, so no one can lock the old file after we let go.
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _holder(fd: int) -> str:
    """" (process N)" from the pid the holder wrote into the lock file, if readable."""
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode().strip())
        return f" (process {pid})"
    return ""
