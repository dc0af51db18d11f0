"""Coding quality in one run: rules, model and hybrid, lexical vs semantic features, next to a plain baseline.

    python bench/bench_classifier.py ../shared/datasets/semeval2016-absa-nl [--features lexical,semantic]

Data sets (figures printed, not asserted):
- SemEval-2016 Task 5 Dutch restaurants, train file (the test split is never read): nested 5-fold
  cross-validation grouped by review;
- the bundled corpus: nested 5-fold cross-validation grouped by respondent;
- bench/holdout: 120 contact-centre answers written and coded apart from the bundled corpus, scored
  with a model trained on the bundled corpus.
The baseline is a plain TF-IDF (word 1-2 + char 3-5 grams) one-vs-rest logistic regression (class-balanced),
p >= 0.5, no rules, no calibration, under the same outer folds. Semantic features need the `semantic` extra.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))


def baseline(texts, Y, splits):
    from bench_semeval import baseline_predictions  # the same baseline as bench_semeval.py

    return baseline_predictions(texts, Y, splits)


def row(name, scores, extra=""):
    print(f"  {name:28s}{scores.micro.f1:9.3f}{scores.macro.f1:9.3f}{scores.exact_accuracy:10.3f}  {extra}")


def at_target(result, target=0.9):
    r = next(t for t in result.tradeoff if abs(t.target - target) < 1e-9)
    acc = "-" if r.n_auto == 0 else f"{r.accuracy:.1%}"
    return f"at {target}: {r.share_auto:.1%} automatic, accuracy {acc}"


def cross_validated(title, data, codebook, features):
    from kcc_text.analysis.evaluation import cross_validate, outer_splits, score_matrix
    from kcc_text.model.training import ModelParams

    splits = outer_splits(data, 5, ModelParams())
    print(f"\n{title}: {len(data.ids)} answers, {len(data.themes)} themes, 5 outer folds grouped by "
          f"{data.grouped_by}")
    print(f"  {'':28s}{'micro-F1':>9s}{'macro-F1':>9s}{'exact set':>10s}")
    texts = data.rows["text"].tolist()
    row("baseline (tf-idf, LR)", score_matrix(data.Y == 1, baseline(texts, data.Y, splits), data.themes))
    for kind in features:
        started = time.perf_counter()
        ev = cross_validate(data, codebook, replace(ModelParams(), features=kind), folds=5)
        took = time.perf_counter() - started
        if codebook.has_patterns:
            row(f"{kind}: rules", ev.rules)
        row(f"{kind}: model", ev.model)
        row(f"{kind}: hybrid (default)", ev.hybrid, f"{at_target(ev)}; {took:.0f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("semeval", type=Path, help="folder holding restaurants_train.xml")
    parser.add_argument("--features", default="lexical,semantic")
    parser.add_argument("--only", default="semeval,kcc,holdout")
    args = parser.parse_args()
    features = [f for f in args.features.split(",") if f]
    from kcc_text.model.embeddings import engine_available

    if "semantic" in features and not engine_available():
        print("note: the semantic extra is not installed; lexical only")
        features = [f for f in features if f != "semantic"]

    from kcc_text.codebook.definition import load_codebook
    from kcc_text.io.answers import read_corpus
    from kcc_text.io.labels import label_sets, read_labels
    from kcc_text.model.training import prepare

    only = set(args.only.split(","))
    if "semeval" in only:
        from semeval import write_files

        with tempfile.TemporaryDirectory() as tmp:
            files = write_files(args.semeval / "restaurants_train.xml", tmp)
            codebook = load_codebook(files.codebook)
            data = prepare(read_corpus(files.corpus), label_sets(read_labels(files.labels, codebook.theme_ids)),
                           codebook)
        cross_validated("SemEval-2016 Dutch restaurants, train file", data, codebook, features)
    codebook = load_codebook(ROOT / "codebooks" / "kcc.yaml")
    gold = label_sets(read_labels(ROOT / "corpus" / "kcc-2020.labels.csv", codebook.theme_ids))
    corpus = read_corpus(ROOT / "corpus" / "kcc-2020.csv")
    data = prepare(corpus, gold, codebook)
    if "kcc" in only:
        cross_validated("Bundled corpus kcc-2020", data, codebook, features)
    if "holdout" in only:
        from kcc_text.analysis.evaluation import evaluate_model
        from kcc_text.model.training import ModelParams, fit

        held_frame = read_corpus(ROOT / "bench" / "holdout" / "kcc-holdout.csv")
        held_gold = label_sets(read_labels(ROOT / "bench" / "holdout" / "kcc-holdout.labels.csv",
                                           codebook.theme_ids))
        held = prepare(held_frame, held_gold, codebook)
        print(f"\nHeld-out contact-centre answers: {len(held.ids)}, model trained on the bundled corpus")
        print(f"  {'':28s}{'micro-F1':>9s}{'macro-F1':>9s}{'exact set':>10s}")
        for kind in features:
            model = fit(data, codebook, replace(ModelParams(), features=kind))
            ev = evaluate_model(model, held, codebook)
            row(f"{kind}: rules", ev.rules)
            row(f"{kind}: model", ev.model)
            row(f"{kind}: hybrid (default)", ev.hybrid, at_target(ev))


if __name__ == "__main__":
    main()
