"""Time `kcc-text train` on N coded answers made from the bundled ones.

Usage: python bench/bench_train_speed.py [--answers 10000] [--keep DIR]

Each answer is a bundled coded answer with a small change of words (a word left out, two
neighbouring words swapped, or a word said twice), so it keeps its human codes; answers made
from one bundled answer belong to one respondent, so they stay in one cross-validation fold
(as a respondent's answers do). Prints the wall time and CPU time of `kcc-text train` (a fresh
process, as a user runs it) and the out-of-fold micro-F1 it reports.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def vary(words: list[str], rng: random.Random) -> list[str]:
    if len(words) < 3:
        return words
    words = list(words)
    i = rng.randrange(len(words) - 1)
    change = rng.randrange(3)
    if change == 0:
        del words[i]
    elif change == 1:
        words[i], words[i + 1] = words[i + 1], words[i]
    else:
        words.insert(i, words[i])
    return words


def generate(folder: Path, n: int, seed: int = 13) -> tuple[Path, Path]:
    rng = random.Random(seed)
    with (ROOT / "corpus" / "kcc-2020.csv").open(encoding="utf-8") as fh:
        answers = list(csv.DictReader(fh))
    with (ROOT / "corpus" / "kcc-2020.labels.csv").open(encoding="utf-8") as fh:
        labels: dict[str, list[str]] = {}
        for row in csv.DictReader(fh):
            labels.setdefault(row["id"], []).append(row["theme"])
    answers = [a for a in answers if a["id"] in labels]
    corpus, coded = folder / "answers.csv", folder / "labels.csv"
    with corpus.open("w", encoding="utf-8", newline="") as fa, coded.open("w", encoding="utf-8", newline="") as fl:
        wa, wl = csv.writer(fa), csv.writer(fl)
        wa.writerow(["id", "text", "wave", "question", "respondent_id"])
        wl.writerow(["id", "theme"])
        for i in range(n):
            source = rng.choice(answers)
            text = " ".join(vary(source["text"].split(" "), rng)) if i >= len(answers) else source["text"]
            wa.writerow([f"t{i}", text, source["wave"], source["question"], f"r-{source['id']}"])
            for theme in labels[source["id"]]:
                wl.writerow([f"t{i}", theme])
    return corpus, coded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, default=None, help="write the generated files here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        corpus, coded = generate(folder, args.answers)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "kcc_text", "train", str(corpus), str(coded),
                                 "--codebook", str(ROOT / "codebooks" / "kcc.yaml"), "--out", str(Path(tmp) / "m.skops"),
                                 "--features", "lexical"],
                                capture_output=True, text=True, check=True, cwd=ROOT)
        seconds = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    found = re.search(r"micro-F1 ([0-9.]+)", " ".join(result.stdout.split()))
    print(f"train on {args.answers:,} answers: {seconds:.1f} s wall, {cpu:.1f} s CPU, peak "
          f"{after.ru_maxrss / 1024:.0f} MB; out-of-fold micro-F1 {found.group(1) if found else '?'}")


if __name__ == "__main__":
    main()
