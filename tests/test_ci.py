"""`.ci/run`: installs Chromium for the report's browser tests when it can, never fails for it, ends in `make test`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / ".ci" / "run"


def fake_bin(folder: Path, apt_exit: int) -> Path:
    """A PATH holding the shell tools .ci/run needs, no chromium, and stand-ins for apt-get and make."""
    folder.mkdir()
    for tool in ("bash", "dirname", "env", "cat"):
        found = shutil.which(tool)
        assert found, tool
        (folder / tool).symlink_to(found)
    log = folder / "calls.log"
    for name, status in (("apt-get", apt_exit), ("make", 0)):
        script = folder / name
        script.write_text(f'#!{shutil.which("bash")}\necho "{name} $*" >> "{log}"\nexit {status}\n')
        script.chmod(0o755)
    return folder


def test_ci_run_ends_in_make_test():
    lines = [line.strip() for line in RUN.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert lines[-1] == "make test"
    assert os.access(RUN, os.X_OK)


@pytest.mark.parametrize("apt_exit", [100, 0], ids=["apt-fails", "apt-works"])
def test_chromium_is_installed_when_apt_can_and_ci_goes_on_when_it_cannot(tmp_path, apt_exit):
    folder = fake_bin(tmp_path / "bin", apt_exit)
    done = subprocess.run([str(folder / "bash"), str(RUN)], env={"PATH": str(folder)}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    calls = (folder / "calls.log").read_text().splitlines()
    assert calls[0].startswith("apt-get install -y") and calls[0].endswith("chromium")
    assert calls[-1] == "make test"
    assert ("chromium not installed" in done.stderr) == (apt_exit != 0)
