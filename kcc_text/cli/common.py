"""What every command shares: the two consoles and turning domain errors into exit status 2."""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.console import Console

from ..errors import KccError

console = Console()
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(error: KccError | str) -> NoReturn:
    """One line on stderr naming the file and the problem, then exit status 2."""
    message = error.render(flag_name) if isinstance(error, KccError) else error
    # Plain print: the message may hold brackets that Rich would read as markup.
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def flag_name(setting: str) -> str:
    """The command-line flag of a library setting: `min_count` -> `--min-count`."""
    return "--" + setting.replace("_", "-")


def run_guarded(app) -> None:
    """Run the Typer app; a KccError anywhere ends in one clean line and exit status 2."""
    try:
        app(standalone_mode=True)
    except KccError as error:
        fail(error)


def guard(func):
    """Decorator for command functions: domain errors become `fail`, also under CliRunner;
    rows the library left out on request (`SkippedRowsWarning`) become a `warning:` line on stderr."""
    import functools
    import warnings

    from ..errors import SkippedRowsWarning

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings():
            shown = warnings.showwarning

            def show(message, category, filename, lineno, file=None, line=None):
                if issubclass(category, SkippedRowsWarning):
                    print(f"warning: {message}", file=sys.stderr)
                else:
                    shown(message, category, filename, lineno, file, line)

            warnings.simplefilter("always", SkippedRowsWarning)
            warnings.showwarning = show
            try:
                return func(*args, **kwargs)
            except KccError as error:
                fail(error)

    return wrapper


def notice(message: str) -> None:
    """A one-line note about how the input was read, on stderr (stdout stays the result)."""
    err_console.print(f"note: {message}", markup=False)
