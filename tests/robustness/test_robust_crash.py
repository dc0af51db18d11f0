"""`kill -9` at any moment leaves the previous output byte for byte, or the complete new one.

For every command that writes a file, a real `python -m kcc_text` child is killed twice
(in two copies of the same folder, at the same time): once after a random short delay,
and once at the moment its temporary file appears (its disk slowed so that moment lasts).
Each time the output must be the previous file unchanged, or (if the run had finished)
the complete new one, with at most one leftover of the documented pattern
`.NAME.XXXXXXXX.part` beside it. An uninterrupted run then writes the complete output and
removes that leftover. A command is one line in CASES.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import TINY_CODEBOOK_YAML
from procs import is_temp_of, kill_9, start, temp_files
from training_data import write_training_files

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and SIGKILL")

PREVIOUS = b"id,themes\nvorige,uitvoer\n"  # the previous output, which must survive a killed run
SEED = int(os.environ.get("KCC_CRASH_SEED", random.SystemRandom().randrange(10**6)))


@dataclass(frozen=True)
class Case:
    command: str  # as the test id
    out: str  # output file name, inside the case folder
    args: tuple  # arguments; "{f}" in a string is the folder
    seconds: float  # a typical run, the range of the random kill delay
    same_bytes: bool = True  # a new complete output is byte-identical run to run (not a model: its card has a time)

    def argv(self, folder: Path) -> list[str]:
        return [str(a).format(f=folder) for a in self.args]


CASES = [
    Case("code", "coded.csv", ("code", "{f}/answers.csv", "-c", "{f}/cb.yaml", "--out", "{f}/coded.csv"), 4),
    Case("train", "model.skops", ("train", "{f}/train.csv", "{f}/train.labels.csv", "-c", "{f}/cb.yaml",
                                  "--out", "{f}/model.skops"), 8, same_bytes=False),
    Case("shift --out", "shift.csv", ("shift", "{f}/coded_in.csv", "--by", "wave", "--out", "{f}/shift.csv"), 2),
    Case("agreement --out", "agreement.json", ("agreement", "{f}/coder_a.csv", "{f}/coder_b.csv", "-f", "json",
                                               "--out", "{f}/agreement.json"), 3),
    Case("discover --out", "phrases.csv", ("discover", "{f}/coded_in.csv", "-f", "csv", "--out",
                                           "{f}/phrases.csv"), 4),
]

TEXTS = [
    ("Het salaris is veel te laag", "salaris"), ("Veel stress en te veel werk", "werkdruk"),
    ("Leuke collega's en een fijn team", "collegas"), ("Het werk is leuk", "leuk_werk"),
    ("Geen waardering van de leiding", "gebrek_aan_waardering"), ("Weet ik niet", ""),
    ("De roosters veranderen steeds", ""), ("Slecht betaald en veel werkdruk", "salaris;werkdruk"),
]


def write_inputs(folder: Path) -> None:
    """Every input the CASES need: a corpus, training data, a coded file and two coders' labels."""
    (folder / "cb.yaml").write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    write_training_files(folder)
    with open(folder / "answers.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "text", "wave", "question"])
        for i in range(800):  # enough that coding takes a moment, so a kill can land mid-write
            writer.writerow([f"r{i}", TEXTS[i % len(TEXTS)][0], "voorjaar" if i % 2 else "najaar", "aanbevelen"])
    with open(folder / "coded_in.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "text", "wave", "question", "themes", "needs_review"])
        for i in range(400):
            text, themes = TEXTS[(i * 7 + i // 3) % len(TEXTS)]
            writer.writerow([f"r{i}", text, "voorjaar" if i < 200 else "najaar", "aanbevelen", themes,
                             int(not themes)])
    for name, shift in (("coder_a.csv", 0), ("coder_b.csv", 1)):
        with open(folder / name, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["id", "theme", "coder"])
            for i in range(300):
                themes = TEXTS[(i + shift * (i % 5 == 0)) % len(TEXTS)][1]
                for theme in themes.split(";"):
                    writer.writerow([f"r{i}", theme, name[:7]])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inputs")
    write_inputs(folder)
    return folder


def copy_of(inputs: Path, folder: Path, case: Case) -> Path:
    shutil.copytree(inputs, folder)
    (folder / case.out).write_bytes(PREVIOUS)
    return folder


def listing(folder: Path) -> set[str]:
    return set(os.listdir(folder))


@dataclass
class Runs:
    """What happened to one case's three children."""

    case: Case
    at_random: Path  # killed after `delay`
    mid_write: Path  # killed when its temporary file appeared, then run again to the end
    before: set[str]  # the files of each folder before the runs
    delay: float
    after_random: bytes = b""
    random_outcome: str = ""
    after_kill: bytes = b""
    left_after_kill: set[str] | None = None
    completed: subprocess.CompletedProcess | None = None


@pytest.fixture(scope="module")
def runs(inputs, tmp_path_factory) -> dict[str, Runs]:
    """Every case's children run side by side (they spend most of their time importing), so the
    whole module takes about as long as its slowest case."""
    started = time.monotonic()
    todo: dict[str, Runs] = {}
    children = {}
    for case in CASES:
        root = tmp_path_factory.mktemp(case.command.split()[0])
        rng = random.Random(f"{SEED}-{case.command}")
        r = Runs(case, copy_of(inputs, root / "random", case), copy_of(inputs, root / "mid_write", case),
                 set(), rng.uniform(0.1, case.seconds))
        r.before = listing(r.mid_write)
        todo[case.command] = r
        quiet = {"stdout": subprocess.DEVNULL}
        children[case.command] = (start(case.argv(r.at_random), r.at_random, stderr=subprocess.DEVNULL, **quiet),
                                  start(case.argv(r.mid_write), r.mid_write, slow_disk=True, **quiet))
    finishing: dict[str, subprocess.Popen] = {}
    try:
        _follow(todo, children, finishing, started)
    finally:  # whatever happened, no child outlives the test
        for child in [*(c for pair in children.values() for c in pair), *finishing.values()]:
            if child.poll() is None:
                kill_9(child)
    for command, child in finishing.items():
        todo[command].completed = subprocess.CompletedProcess(child.args, child.returncode, "",
                                                              child.stderr.read().decode(errors="replace"))
        child.stderr.close()
    return todo


def _follow(todo, children, finishing, started) -> None:
    """Poll every child: kill each at its moment, then start the next run in the killed one's folder."""
    while len(finishing) < len(todo) or any(child.poll() is None for child in finishing.values()):
        for command, r in todo.items():
            random_child, slow_child = children[command]
            if random_child.returncode is None and (random_child.poll() is not None
                                                    or time.monotonic() - started >= r.delay):
                r.random_outcome = kill_9(random_child)
                r.after_random = (r.at_random / r.case.out).read_bytes()
            if slow_child.returncode is None and temp_files(r.mid_write / r.case.out):
                r.left_after_kill = None if kill_9(slow_child) != "killed" else listing(r.mid_write) - r.before
                r.after_kill = (r.mid_write / r.case.out).read_bytes()
            elif slow_child.returncode is None and slow_child.poll() is not None:
                r.after_kill = b"exited: " + slow_child.stderr.read()
            if command not in finishing and slow_child.returncode is not None:
                # The next, uninterrupted run in the folder of the killed one.
                finishing[command] = start(r.case.argv(r.mid_write), r.mid_write, stdout=subprocess.DEVNULL)
        if time.monotonic() - started > 300:
            raise AssertionError("children still running after 5 minutes")
        time.sleep(0.005)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.command)
def test_kill_9_leaves_previous_output_or_complete_new_one(case, runs):
    r = runs[case.command]
    seen = f"(seed {SEED}: rerun with KCC_CRASH_SEED={SEED})"

    # Killed mid-write: the previous output is untouched; the one leftover has the documented name.
    assert r.left_after_kill is not None, r.after_kill[-2000:]
    assert r.after_kill == PREVIOUS
    assert len(r.left_after_kill) == 1 and is_temp_of(case.out, *r.left_after_kill), r.left_after_kill

    # The next run completes, and removes the leftover of the killed one.
    assert r.completed.returncode == 0, r.completed.stderr
    assert listing(r.mid_write) == r.before, listing(r.mid_write) ^ r.before
    new = (r.mid_write / case.out).read_bytes()
    assert new != PREVIOUS and _complete(case, r.mid_write / case.out)

    # Killed at a random moment: the previous output, or (if it had finished) the complete new one.
    assert r.random_outcome in ("killed", "finished (exit 0)"), (r.random_outcome, seen)
    if r.after_random != PREVIOUS:
        assert r.after_random == new if case.same_bytes else _complete(case, r.at_random / case.out), seen
    extra = listing(r.at_random) - r.before
    assert len(extra) <= 1 and all(is_temp_of(case.out, n) for n in extra), (extra, r.random_outcome, seen)


def _complete(case: Case, path: Path) -> bool:
    """The output is whole: a model file loads; a text output parses to the end."""
    if path.suffix == ".skops":
        import zipfile

        from kcc_text.model.persistence import read_card

        with zipfile.ZipFile(path) as archive:  # every member whole (CRC checked), and the card readable
            return archive.testzip() is None and read_card(path)["codebook"]["name"] == "kcc-mini"
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        import json

        return isinstance(json.loads(text), dict)
    rows = list(csv.reader(text.splitlines()))
    return len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)


def test_only_abandoned_leftovers_of_that_output_are_removed(tmp_path):
    """The next write of coded.csv removes its own dead `.part` files, and nothing else."""
    import fcntl

    from kcc_text.io.writing import write_text_atomic

    long_ago = time.time() - 3600
    names = {
        ".coded.csv.k1ll3d_0.part": "removed",  # left by a killed run
        ".coded.csv.l1v3wr1t.part": "kept",  # another run is writing it right now (holds its lock)
        ".coded.csv.0th3r_0k.part": "kept",  # newer than this run: not ours to judge
        ".coded.csv.x.k1ll3d_0.part": "kept",  # the leftover of another output, coded.csv.x
        ".report.csv.k1ll3d_0.part": "kept",
        ".coded.csv.k1ll3d.part": "kept",  # not the documented pattern
        "coded.csv.part": "kept",
        ".coded.csv.k1ll3d_0.part.bak": "kept",
    }
    for name, fate in names.items():
        (tmp_path / name).write_text("half", encoding="utf-8")
        if name != ".coded.csv.0th3r_0k.part":
            os.utime(tmp_path / name, (long_ago, long_ago))
    live = open(tmp_path / ".coded.csv.l1v3wr1t.part", "rb")
    fcntl.flock(live, fcntl.LOCK_EX)
    try:
        write_text_atomic(tmp_path / "coded.csv", "id,themes\nr1,salaris\n")
    finally:
        live.close()
    assert (tmp_path / "coded.csv").read_text(encoding="utf-8") == "id,themes\nr1,salaris\n"
    assert {n for n in os.listdir(tmp_path) if n != "coded.csv"} == {n for n, f in names.items() if f == "kept"}
