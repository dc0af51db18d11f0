"""Domain errors. The CLI turns each into one line on stderr and exit status 2.

Every error names the file (and where possible the line, theme or field) at fault,
so the message alone tells a researcher what to fix.
"""

from __future__ import annotations

from pathlib import Path


class KccError(Exception):
    """Something in the user's input is wrong."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None, *,
                 setting: str | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.detail = message
        # The setting at fault (e.g. "limit"): the library names it as data, the CLI as its flag.
        self.setting = setting
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return self.render()

    def render(self, setting_name=None) -> str:
        """The message; `setting_name` turns the setting into what the user typed (e.g. a flag)."""
        detail = self.detail
        if self.setting:
            detail = f"{setting_name(self.setting) if setting_name else self.setting} {detail}"
        where = self.path or ""
        if self.path and self.line is not None:
            where += f":{self.line}"
        return f"{where}: {detail}" if where else detail


class InputFileError(KccError):
    """A corpus or labels file cannot be read or has the wrong shape."""


class CodebookError(KccError):
    """A codebook is not valid YAML or breaks the codebook format."""


class ModelError(KccError):
    """A model file is corrupt, foreign, or does not fit the codebook."""


class OutputPathError(KccError):
    """An output path would overwrite an input or cannot be written."""


class UsageError(KccError):
    """Options that do not fit together or do not fit the data."""


class SkippedRowsWarning(UserWarning):
    """Input rows left out because the user asked for it (e.g. --ignore-unknown-themes).

    The library warns instead of printing; the CLI shows each one as a line on stderr.
    """


class MissingExtraError(KccError):
    """A feature needs an optional extra that is not installed (the message names the extra)."""
