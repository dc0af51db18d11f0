"""Throughput and peak memory of `kcc-text code` next to bare spaCy tokenisation of the same texts.

Usage: python bench/bench_code_speed.py [--answers 100000] [--model MODEL] [--chunk-size 2000]

Generates a corpus of N answers by recombining fragments of the bundled answers
(so texts vary the way real answers do), then, each in a fresh subprocess so that
peak memory is measured per step:
  1. bare tokenisation: spacy.blank("nl").tokenizer over the same texts (in memory);
  2. `kcc-text code` end to end (read CSV, rules [+ model], write coded CSV);
  3. the same coding on a quarter of the answers, to show that peak memory does not
     grow with the number of answers (chunked processing).
Prints answers/s for each, the ratio code/tokenisation and the peak RSS.
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
import json, resource, sys, time, csv
kind, corpus, out, extra = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
t0 = time.perf_counter()
if kind == "tokenise":
    import spacy
    with open(corpus, encoding="utf-8") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    nlp = spacy.blank("nl")
    t0 = time.perf_counter()
    n_tokens = sum(len(doc) for doc in nlp.tokenizer.pipe(texts, batch_size=1000))
    n = len(texts)
else:
    from kcc_text.jobs import code_corpus_file
    s = code_corpus_file(corpus, extra["codebook"], out, model_path=extra.get("model"))
    n, n_tokens = s.n_answers, None
seconds = time.perf_counter() - t0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"n": n, "seconds": seconds, "peak_mb": peak_mb, "tokens": n_tokens}))
"""


def step(kind: str, corpus: Path, out: Path, extra: dict) -> dict:
    result = subprocess.run([sys.executable, "-c", STEP, kind, str(corpus), str(out), json.dumps(extra)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--model", type=Path, default=None, help="a model from `kcc-text train`")
    parser.add_argument("--codebook", type=Path, default=ROOT / "codebooks" / "kcc.yaml")
    args = parser.parse_args()
    extra = {"codebook": str(args.codebook)}
    if args.model:
        extra["model"] = str(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big, small = tmp / "big.csv", tmp / "small.csv"
        generate(big, args.answers)
        generate(small, args.answers // 4)
        tok = step("tokenise", big, tmp / "unused", extra)
        code = step("code", big, tmp / "coded.csv", extra)
        code_small = step("code", small, tmp / "coded_small.csv", extra)
    mode = "rules + model" if args.model else "rules"
    tok_rate, code_rate = tok["n"] / tok["seconds"], code["n"] / code["seconds"]
    print(f"answers: {args.answers:,} ({tok['tokens']:,} tokens)")
    print(f"bare spaCy tokenisation : {tok_rate:10,.0f} answers/s  peak {tok['peak_mb']:6.0f} MB")
    print(f"kcc-text code ({mode:13s}): {code_rate:10,.0f} answers/s  peak {code['peak_mb']:6.0f} MB"
          "  (read CSV, code, write CSV)")
    print(f"ratio code / tokenisation: {code_rate / tok_rate:.2f}")
    print(f"peak memory, {args.answers // 4:,} vs {args.answers:,} answers: "
          f"{code_small['peak_mb']:.0f} MB vs {code['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
