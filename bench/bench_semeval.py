"""kcc-text's default model on real human-coded Dutch: SemEval-2016 Task 5, restaurants, aspect categories.

Usage: python bench/bench_semeval.py [PATH/restaurants_train.xml]
(default: ../shared/datasets/semeval2016-absa-nl/restaurants_train.xml beside the checkout)

Converts the XML to kcc-text's corpus, labels and codebook files in a temporary folder
(bench/semeval.py; nothing is written into the repository), then, under the same 5 folds
grouped by review (a review's sentences stay together):
  1. a plain baseline: TF-IDF word 1-2-grams + character 3-5-grams of the raw text,
     one-vs-rest logistic regression (class-balanced), threshold 0.5;
  2. kcc-text's default model, exactly as `kcc-text evaluate` runs it (nested: every fold is
     scored by a model whose calibration, thresholds and review cut-offs were tuned on the
     other folds only).
Prints micro- and macro-F1 of both, kcc-text's exact-set accuracy, the --target-precision
trade-off (share coded automatically and their measured exact-set accuracy), and the time
`kcc-text train` takes on the whole file.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

DEFAULT_XML = HERE.parent.parent / "shared" / "datasets" / "semeval2016-absa-nl" / "restaurants_train.xml"


def baseline_predictions(texts, Y, splits):
    import numpy as np
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    pred = np.zeros(Y.shape, dtype=bool)
    for train, test in splits:
        words = TfidfVectorizer(ngram_range=(1, 2))
        chars = TfidfVectorizer(analyzer="char", ngram_range=(3, 5))
        a, b = [texts[i] for i in train], [texts[i] for i in test]
        X_train = hstack([words.fit_transform(a), chars.fit_transform(a)]).tocsr()
        X_test = hstack([words.transform(b), chars.transform(b)]).tocsr()
        keep = Y[train].sum(axis=0) > 0  # a category absent from the training folds cannot be learnt
        clf = OneVsRestClassifier(LogisticRegression(class_weight="balanced", solver="liblinear"))
        clf.fit(X_train, Y[train][:, keep])
        pred[np.ix_(test, np.flatnonzero(keep))] = clf.predict_proba(X_test) >= 0.5
    return pred


def main() -> None:
    from kcc_text.model.training import ModelParams, prepare, fit
    from kcc_text.codebook.definition import load_codebook
    from kcc_text.io.answers import read_corpus
    from kcc_text.analysis.evaluation import cross_validate, outer_splits, score_matrix
    from kcc_text.io.labels import label_sets, read_labels
    from semeval import write_files

    xml = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_XML
    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(xml, tmp)
        codebook = load_codebook(files.codebook)
        frame = read_corpus(files.corpus)
        sets = label_sets(read_labels(files.labels, codebook.theme_ids))
        t0 = time.perf_counter()
        data = prepare(frame, sets, codebook)
        parse_s = time.perf_counter() - t0
    params = ModelParams()
    splits = outer_splits(data, 5, params)
    gold = data.Y == 1
    base = score_matrix(gold, baseline_predictions(data.rows["chars"].tolist(), data.Y, splits), data.themes)
    t0 = time.perf_counter()
    ev = cross_validate(data, codebook, params, folds=5)
    cv_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    fit(data, codebook, params)
    fit_s = time.perf_counter() - t0

    print(f"SemEval-2016 Task 5 Dutch restaurants (train file): {len(data.ids)} sentences, "
          f"{len(data.themes)} categories, 5 folds grouped by review ({len(set(data.groups))} reviews)")
    print(f"{'':34s}{'micro-F1':>9s}{'macro-F1':>9s}{'exact set':>10s}")
    print(f"{'baseline (tf-idf word+char, LR)':34s}{base.micro.f1:9.3f}{base.macro.f1:9.3f}"
          f"{base.exact_accuracy:10.3f}")
    print(f"{'kcc-text default model':34s}{ev.hybrid.micro.f1:9.3f}{ev.hybrid.macro.f1:9.3f}"
          f"{ev.hybrid.exact_accuracy:10.3f}")
    print("--target-precision trade-off on held-out folds:")
    for row in ev.tradeoff:
        print(f"  target {row.target:.2f}: {row.share_auto * 100:5.1f}% coded automatically "
              f"({row.n_auto}), exact-set accuracy {row.accuracy * 100:5.1f}%")
    print("per category F1 (kcc-text / baseline): " + ", ".join(
        f"{t.theme} {t.f1:.2f}/{b.f1:.2f}" for t, b in zip(ev.hybrid.themes, base.themes)))
    print(f"time: parse {parse_s:.1f}s, train on all {len(data.ids)} sentences {fit_s:.1f}s, "
          f"nested 5-fold cross-validation {cv_s:.1f}s")


if __name__ == "__main__":
    main()
