"""Running the real `kcc-text` in a child process, and killing it the hard way.

The robustness tests start `python -m kcc_text ...` exactly as a user's shell would and
end it with SIGKILL (what `kill -9`, the out-of-memory killer or a power cut amount to
for the program: no cleanup code runs).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout under test, imported by the children
HERE = Path(__file__).resolve().parent
# The documented leftover of a killed run (kcc_text/io/tempfiles.py): `.NAME.XXXXXXXX.part`.
TEMP_PATTERN = r"\.{name}\.[a-z0-9_]{{8}}\.part"


def child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **extra}
    env.pop("COLUMNS", None)
    return env


def kcc_command(*args, slow_disk: bool = False) -> list[str]:
    entry = [str(HERE / "slow_disk.py")] if slow_disk else ["-m", "kcc_text"]
    return [sys.executable, *entry, *(str(a) for a in args)]


def start(args, cwd, *, slow_disk: bool = False, **popen) -> subprocess.Popen:
    popen.setdefault("stdout", subprocess.PIPE)
    popen.setdefault("stderr", subprocess.PIPE)
    return subprocess.Popen(kcc_command(*args, slow_disk=slow_disk), cwd=cwd, env=child_env(),
                            start_new_session=True, **popen)


def run(args, cwd, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(kcc_command(*args), cwd=cwd, env=child_env(), capture_output=True, text=True,
                          timeout=timeout)


def kill_9(proc: subprocess.Popen) -> str:
    """SIGKILL the child; 'killed' if it was still running, 'finished' if it had already exited."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    _close(proc)
    return "killed" if proc.returncode == -signal.SIGKILL else f"finished (exit {proc.returncode})"


def _close(proc: subprocess.Popen) -> None:
    for stream in (proc.stdout, proc.stderr, proc.stdin):
        if stream is not None:
            stream.close()


def is_temp_of(out_name: str, name: str) -> bool:
    return re.fullmatch(TEMP_PATTERN.format(name=re.escape(out_name)), name) is not None


def temp_files(out: Path) -> list[str]:
    return sorted(n for n in os.listdir(out.parent) if is_temp_of(out.name, n))


def wait_for(condition, proc: subprocess.Popen | None = None, timeout: float = 90, what: str = "") -> None:
    """Poll `condition` every few milliseconds; fail if the child exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise AssertionError(f"kcc-text exited ({proc.returncode}) before {what}: {err[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)
