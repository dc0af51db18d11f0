"""Where the time of `kcc-text code` goes, stage by stage, in one process.

Usage: python bench/bench_stages.py [--answers 200000] [--model MODEL] [--workers 1]

Generates the same corpus as bench_code_speed.py, then runs `jobs.code_corpus_file` with a
timer around each stage's function (one process, so that the stages add up; with workers,
the stages inside workers are not seen). Prints seconds and share of the run per stage:
start-up (codebook, model, pipeline), reading, parsing (tokenising, forms, word numbers),
pattern matching, features, model (decision functions, calibration, decision rule), coded
columns, CSV rendering and writing; "other" is the rest (chunk bookkeeping, non-answer
checks). Timers cost about a microsecond a call, so per-answer stages read a little high.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

# (stage, module, qualified name): the functions whose time is that stage's. A function called
# inside another timed one is counted in the inner stage only (the outer one's time excludes it).
STAGES = [
    ("start-up: codebook", "kcc_text.jobs", "load_codebook"),
    ("start-up: model file", "kcc_text.model.persistence", "load_model"),
    ("start-up: pipeline, patterns", "kcc_text.coding", "Coder.__init__"),
    ("reading", "kcc_text.io.tables", "_csv_chunks"),
    ("reading", "kcc_text.io.corpus", "_Canonical.__call__"),
    ("chunk bookkeeping", "kcc_text.csv_coding", "CsvCoder.code"),
    ("chunk bookkeeping", "kcc_text.coding", "Coder.code_chunk"),
    ("writing", "kcc_text.jobs", "write_text_chunks_atomic"),
    ("parsing: tokenise, lemmas", "kcc_text.form_parsing", "tokenise"),
    ("parsing: forms", "kcc_text.nlp.forms", "FormTable.batch"),
    ("parsing: word numbers", "kcc_text.form_parsing", "FormParser._lemma_words"),
    ("parsing: word numbers", "kcc_text.form_parsing", "FormParser._surface_words"),
    ("pattern matching", "kcc_text.form_matcher", "FormMatcher.evidence"),
    ("parsing: per answer", "kcc_text.form_parsing", "FormParser.parse"),
    ("parsing: per answer", "kcc_text.parsing", "AnswerParser.parse"),
    ("features", "kcc_text.model.form_features", "feature_matrix"),
    ("model", "kcc_text.model.estimator", "KccModel._probabilities"),
    ("model", "kcc_text.model.decision", "decide"),
    ("model", "kcc_text.model.estimator", "KccModel.auto_coded"),
    ("coded columns", "kcc_text.io.coded", "coded_frame"),
    ("coded columns", "kcc_text.coding", "Coder.code_batch"),
    ("CSV rendering", "kcc_text.csv_coding", "CsvCoder._records"),
]


class Clock:
    """Exclusive time per stage: a timed call inside another is taken out of the outer one."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self._stack: list[list] = []  # [stage, start, time of inner timed calls]

    def wrap(self, stage: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            self._stack.append([stage, time.perf_counter(), 0.0])
            try:
                result = fn(*args, **kwargs)
                if hasattr(result, "__next__"):  # a generator: time each step of it
                    return self._steps(stage, result)
                return result
            finally:
                self._pop()
        return timed

    def _steps(self, stage, gen):
        while True:
            self._stack.append([stage, time.perf_counter(), 0.0])
            try:
                item = next(gen)
            except StopIteration:
                return
            finally:
                self._pop()
            yield item

    def _pop(self):
        stage, start, inner = self._stack.pop()
        spent = time.perf_counter() - start
        self.seconds[stage] = self.seconds.get(stage, 0.0) + spent - inner
        if self._stack:
            self._stack[-1][2] += spent


def install(clock: Clock) -> None:
    for stage, module_name, name in STAGES:
        module = importlib.import_module(module_name)
        owner, _, attr = name.rpartition(".")
        target = getattr(module, owner) if owner else module
        setattr(target, attr, clock.wrap(stage, getattr(target, attr)))


def main() -> None:
    from bench_code_speed import generate, train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200_000)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--skip-model", action="store_true")
    parser.add_argument("--chunk-size", type=int, default=None, help="answers per chunk (default: the job's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        corpus = tmp / "answers.csv"
        generate(corpus, args.answers)
        model = None if args.skip_model else (args.model or train(tmp))
        import kcc_text.jobs as jobs  # imports outside the clock, as in the floor

        clock = Clock()
        install(clock)
        start = time.perf_counter()
        jobs.code_corpus_file(corpus, ROOT / "codebooks" / "kcc.yaml", tmp / "coded.csv",
                              model_path=model, workers=1,
                              **({"chunk_size": args.chunk_size} if args.chunk_size else {}))
        total = time.perf_counter() - start
    print(f"answers: {args.answers:,}; {'rules + model' if model else 'rules'}; one process; "
          f"{total:.2f} s ({args.answers / total:,.0f} answers/s)")
    print(f"{'stage':32s} {'seconds':>8s} {'share':>6s} {'µs/answer':>10s}")
    rest = total
    for stage, seconds in clock.seconds.items():
        rest -= seconds
        print(f"{stage:32s} {seconds:8.2f} {seconds / total:6.1%} {seconds / args.answers * 1e6:10.1f}")
    print(f"{'other':32s} {rest:8.2f} {rest / total:6.1%} {rest / args.answers * 1e6:10.1f}")


if __name__ == "__main__":
    main()
