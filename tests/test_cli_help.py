"""Every command has help text, and `kcc-text --help` stays instant (no heavy imports)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from kcc_text.cli import app

HEAVY = ("spacy", "sklearn", "pandas", "scipy", "statsmodels")


def all_commands():
    """(path, click command) for the app, every command and every subcommand."""
    root = typer.main.get_command(app)
    found = []

    def walk(path, command):
        found.append((path, command))
        if hasattr(command, "commands"):  # a group; typer may bundle its own click
            for name, sub in command.commands.items():
                walk(path + [name], sub)

    walk([], root)
    return found


COMMANDS = all_commands()


def test_the_contract_commands_are_registered():
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"code", "demo", "codebook", "codebook validate", "codebook show", "codebook diff"} <= names


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) or "kcc-text" for p, _ in COMMANDS])
def test_every_command_has_help(path, command):
    assert (command.help or command.short_help or "").strip(), f"no help text for {path}"
    for param in command.params:
        if getattr(param, "param_type_name", "") in ("option", "argument") and not getattr(param, "hidden", False):
            assert (getattr(param, "help", None) or "").strip(), f"{param.opts} of {path} has no help"
    result = CliRunner().invoke(app, path + ["--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def heavy_modules_after(args):
    code = (
        "import sys\n"
        "from kcc_text.cli import main\n"
        f"sys.argv = ['kcc-text', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('HEAVY=' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    [marker] = [line for line in proc.stdout.splitlines() if line.startswith("HEAVY=")]
    return marker.removeprefix("HEAVY=")


@pytest.mark.parametrize("args", [["--help"], ["code", "--help"], ["codebook", "--help"]])
def test_help_does_not_import_heavy_libraries(args):
    assert heavy_modules_after(args) == ""


def test_help_import_time_shows_no_heavy_library():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "kcc_text", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0]
                for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert not imported & set(HEAVY)
