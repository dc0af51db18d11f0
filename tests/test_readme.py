"""The README shows what the code prints today."""

from __future__ import annotations

import re
from pathlib import Path

from cli_helpers import invoke

ROOT = Path(__file__).resolve().parents[1]


def test_codebook_validate_line_is_what_the_command_prints(monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"^codebooks/kcc\.yaml: valid codebook .*$", readme, re.M).group(0)
    result = invoke("codebook", "validate", "codebooks/kcc.yaml")
    assert result.exit_code == 0
    assert result.stdout.strip() == shown


def test_every_command_in_the_commands_table_exists():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## The commands"):]
    commands = set(re.findall(r"^\| `kcc-text ([a-z-]+(?: (?:validate|show|diff|export|import))?)", table, re.M))
    assert {"code", "shift", "train", "evaluate"} <= commands
    for command in commands:
        result = invoke(*command.split(), "--help")
        assert result.exit_code == 0, command
