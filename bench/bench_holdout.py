"""How the bundled-corpus model does on contact-centre answers written by someone else.

Usage: python bench/bench_holdout.py [HOLDOUT_CSV HOLDOUT_LABELS]

Trains kcc-text's default model on the bundled corpus and gold codes, then scores rules,
model and hybrid on a held-out set (default: bench/holdout/, 120 answers written and coded
independently, by a writer who never saw the bundled answers). Prints micro/macro-F1 and
the --target-precision trade-off on those answers.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from kcc_text.jobs import evaluate_files, train_model_file

    holdout = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "holdout" / "kcc-holdout.csv"
    labels = Path(sys.argv[2]) if len(sys.argv) > 2 else holdout.with_suffix(".labels.csv")
    codebook = ROOT / "codebooks" / "kcc.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "kcc.skops"
        started = time.perf_counter()
        train_model_file(ROOT / "corpus" / "kcc-2020.csv", ROOT / "corpus" / "kcc-2020.labels.csv", codebook, model)
        trained = time.perf_counter() - started
        result = evaluate_files(holdout, labels, codebook, model_path=model)
    print(f"trained on the bundled corpus (675 answers) in {trained:.1f}s; scored on {result.n_answers} "
          f"held-out answers ({holdout})")
    print(f"{'':10s} micro-P micro-R micro-F1 macro-F1 exact-set")
    for name in ("rules", "model", "hybrid"):
        s = getattr(result, name)
        print(f"{name:10s} {s.micro.precision:7.3f} {s.micro.recall:7.3f} {s.micro.f1:8.3f} "
              f"{s.macro.f1:8.3f} {s.exact_accuracy:9.3f}")
    for row in result.tradeoff:
        print(f"target {row.target:.2f}: {row.share_auto:6.1%} coded automatically ({row.n_auto}), "
              f"exact-set accuracy {row.accuracy:.1%}")


if __name__ == "__main__":
    main()
