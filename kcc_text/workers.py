"""Worker processes over chunks: results in input order, a bounded number of chunks in flight.

Workers are forked from the process that has already loaded the codebook, the Dutch pipeline
and the model (and coded the first chunks, so its caches are warm): each starts with them in
memory instead of loading them again. Where `fork` is not available the work stays in one process.
"""

from __future__ import annotations

import gc
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator

LARGE = 20_000  # answers: a file with more uses all cores unless told otherwise

_TASK: Callable | None = None  # what a worker runs; inherited through fork, never pickled


def _run(item):
    return _TASK(item)


def _ignore_interrupt() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which ends the workers


def _release_free_memory() -> None:
    """Give memory freed while loading (a model file's parse, ...) back to the system before forking,
    so that it is not counted again in every worker (glibc only; elsewhere nothing happens)."""
    import ctypes
    import ctypes.util

    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


def ordered_map(task: Callable, items: Iterable, *, workers: int = 1, serial: int = 0,
                weight: Callable = len, in_flight: int | None = None) -> Iterator:
    """`task(item)` for every item, in the order of `items`.

    With `workers` > 1, items after the first `serial` units (summed by `weight`) go to that
    many forked processes; at most `in_flight` items (default 2 per worker) are read ahead.
    """
    global _TASK
    items = iter(items)
    if workers <= 1 or not can_fork():
        yield from map(task, items)
        return
    done = 0
    first = None
    for item in items:
        if done >= serial:
            first = item
            break
        yield task(item)
        done += weight(item)
    else:
        return
    import multiprocessing

    _TASK = task
    # Out of the collector's sight, the objects a worker inherits stay shared with this process:
    # a collection (here or in a worker) would write to every one of them and so copy their memory.
    gc.collect()
    _release_free_memory()
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_interrupt)
    try:
        queue: deque = deque()
        limit = in_flight or 2 * workers
        for item in itertools.chain([first], items):
            queue.append(pool.apply_async(_run, (item,)))
            if len(queue) >= limit:
                yield queue.popleft().get()
        while queue:
            yield queue.popleft().get()
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        _TASK = None
