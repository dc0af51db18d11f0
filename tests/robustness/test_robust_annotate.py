"""Human codes survive: `annotate` killed with `kill -9`, and two coders on one labels file.

`annotate` runs as a real child process with a pseudo-terminal as its keyboard: keys are
typed one at a time, each only once the program waits for a key (its terminal in raw mode).
"""

from __future__ import annotations

import csv
import os
import pty
import subprocess
import sys
import termios
import textwrap
import threading

import pytest

from conftest import TINY_CODEBOOK_YAML, write_tiny_corpus
from procs import child_env, kcc_command, kill_9, wait_for

from kcc_text.io.labels import label_sets, read_labels
from kcc_text.io.locking import lock_path

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses a pseudo-terminal")


class Annotator:
    """`kcc-text annotate` in a child process, typed at through a pseudo-terminal."""

    def __init__(self, folder, labels):
        self.master, self.slave = pty.openpty()
        self.proc = subprocess.Popen(
            kcc_command("annotate", folder / "antwoorden.csv", "--codebook", folder / "cb.yaml", "--labels",
                        labels, "--coder", "ann", "--order", "input"),
            cwd=folder, env=child_env(), stdin=self.slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        self.output = b""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b""):
            self.output += chunk

    def text(self) -> str:
        return self.output.decode(errors="replace")

    def waiting_for_a_key(self) -> bool:
        """The program reads keys in raw mode (no line editing), and only while it waits for one."""
        return not termios.tcgetattr(self.slave)[3] & termios.ICANON

    def press(self, key: str, then, what: str) -> None:
        wait_for(self.waiting_for_a_key, self.proc, what="annotate to wait for a key")
        os.write(self.master, key.encode())
        wait_for(then, self.proc, what=what)

    def close(self):
        outcome = kill_9(self.proc) if self.proc.returncode is None else "finished"
        os.close(self.master)
        os.close(self.slave)
        return outcome


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "cb.yaml").write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    write_tiny_corpus(tmp_path / "antwoorden.csv")
    return tmp_path


def decided(labels) -> set[str]:
    return set(label_sets(read_labels(labels))) if labels.exists() else set()


def test_kill_9_right_after_a_decision_keeps_it_and_a_second_coder_is_refused(folder):
    labels = folder / "labels.csv"
    first = Annotator(folder, labels)
    try:
        wait_for(lambda: "Het salaris is veel te laag." in first.text(), first.proc, what="the first answer")
        first.press("\r", lambda: decided(labels) == {"r1"}, "r1 on disk")  # accept the suggested salaris
        first.press("0", lambda: decided(labels) == {"r1", "r2"}, "r2 on disk")  # r2: no theme

        # Meanwhile a second session on the same labels file refuses at once, naming the lock.
        second = subprocess.run(
            kcc_command("annotate", folder / "antwoorden.csv", "--codebook", folder / "cb.yaml", "--labels",
                        labels, "--coder", "bob"),
            cwd=folder, env=child_env(), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert second.returncode == 2, second.stderr
        assert second.stderr.startswith(f"error: {labels}: is in use by another `kcc-text annotate` "
                                        f"(process {first.proc.pid}), which holds the lock {lock_path(labels)}")
        assert "Traceback" not in second.stderr
    finally:
        assert first.close() == "killed"  # kill -9, right after the second decision reached the disk

    # Every confirmed decision is there, in whole lines; the lock file of the dead session is left behind...
    assert label_sets(read_labels(labels)) == {"r1": {"salaris"}, "r2": frozenset()}
    assert labels.read_bytes().endswith(b"\n")
    assert lock_path(labels).exists()

    # ...but blocks no one: the next start takes over and resumes at the first undecided answer.
    resumed = Annotator(folder, labels)
    try:
        wait_for(lambda: "Het werk is niet leuk" in resumed.text(), resumed.proc, what="the first undecided answer")
        assert "1/2 · r3" in resumed.text()  # r4 is empty: nothing to code
        assert "Het salaris is veel te laag." not in resumed.text()
        resumed.press("q", lambda: resumed.proc.poll() is not None, "annotate to quit")
        assert resumed.proc.returncode == 0
        assert "0 decisions saved" in resumed.text()
    finally:
        resumed.close()
    assert not lock_path(labels).exists()  # a session that ends normally removes its lock


def test_writers_appending_at_once_never_interleave_half_lines(tmp_path):
    """Two processes appending long decisions to one labels file: every line whole, none lost."""
    labels = tmp_path / "labels.csv"  # not there yet: the first writer adds the header, once
    script = textwrap.dedent("""
        import sys
        from kcc_text.io.labels import append_labels
        who, path = sys.argv[1], sys.argv[2]
        for i in range(150):
            append_labels(path, [{"id": f"{who}{i}", "theme": t, "coder": who, "coded_at": str(i),
                                  "question": "waarom " * 1200} for t in ("salaris", "werkdruk")])
    """)
    writers = [subprocess.Popen([sys.executable, "-c", script, who, str(labels)], env=child_env())
               for who in ("ann", "bob")]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    with open(labels, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2 * 150 * 2
    assert labels.read_text(encoding="utf-8").count("id,theme,") == 1
    assert all(row["question"] == "waarom " * 1200 and row["theme"] in ("salaris", "werkdruk") for row in rows)
    sets = label_sets(read_labels(labels))
    assert len(sets) == 300 and all(themes == {"salaris", "werkdruk"} for themes in sets.values())
