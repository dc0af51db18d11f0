"""A progress bar on stderr for long runs: answers done, answers per second, time taken."""

from __future__ import annotations

import contextlib
import time

from .common import err_console

SHOW_AFTER = 2.0  # seconds: a shorter run shows no bar


def progress_factory(label: str, *, console=None, show_after: float = SHOW_AFTER):
    """A factory of progress bars for a job's `progress` argument, or None when stderr is not a terminal.

    The clock starts here (before the job loads its inputs); the bar appears with the first
    progress after `show_after` seconds, so a quick run prints nothing.
    """
    console = console or err_console
    if not console.is_terminal:
        return None
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task):
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} answers/s" if speed else "", style="progress.data.speed")

    began = time.monotonic()

    @contextlib.contextmanager
    def bar():
        progress = Progress(label, BarColumn(), TextColumn("{task.completed:,.0f} answers"), RateColumn(),
                            TimeElapsedColumn(), console=console, transient=True)
        task = progress.add_task(label, total=None)
        shown = False

        def advance(n: int) -> None:
            nonlocal shown
            progress.advance(task, n)
            if not shown and time.monotonic() - began >= show_after:
                progress.start()
                shown = True

        try:
            yield advance
        finally:
            if shown:
                progress.stop()

    return bar
