"""Data sets for bench_quality.py, each with its nested folds (outer folds, and inner folds within each).

Bench code. Every set is one matrix of answers x themes with the answers' raw text, lemma text
(kcc-text's Dutch pipeline), codebook pattern hits (kcc only) and groups for the folds:

- `semeval`: SemEval-2016 Task 5 Dutch restaurants, training file only (path given), 5 outer folds
  grouped by review, 5 inner folds grouped by review inside each outer training part.
- `kcc`: the bundled corpus with its gold codes, folds grouped by respondent.
- `holdout`: one outer split, train on the whole bundled corpus (inner folds over it), test on the
  held-out answers in bench/holdout/.
- `phones1`: a single-label proxy built from the SemEval phones training file: sentences with
  exactly one category, categories with at least 8 such sentences (a many-theme single-label
  set, like the 37-theme set of the issue; not that set).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Dataset:
    name: str
    texts: list
    lemmas: list
    Y: object  # (n, m) int
    applies: object  # (n, m) bool
    hits: object  # (n, m) bool, or None when there is no codebook with patterns
    groups: list
    themes: list
    single_label: bool
    outer: list = field(default_factory=list)  # [(train_idx, test_idx)]
    inner: list = field(default_factory=list)  # per outer fold: [(train_idx, valid_idx)] in absolute indices

    @property
    def n(self) -> int:
        return len(self.texts)


def grouped_folds(groups, index, k: int, seed: int):
    import numpy as np
    from sklearn.model_selection import GroupKFold

    index = np.asarray(index)
    g = [groups[i] for i in index]
    splitter = GroupKFold(n_splits=min(k, len(set(g))), shuffle=True, random_state=seed)
    return [(index[a], index[b]) for a, b in splitter.split(np.zeros(len(index)), groups=g)]


def _nest(ds: Dataset, k: int = 5, seed: int = 1, k_inner: int = 3) -> Dataset:
    import numpy as np

    if not ds.outer:
        ds.outer = grouped_folds(ds.groups, np.arange(ds.n), k, seed)
    ds.inner = [grouped_folds(ds.groups, train, k_inner, seed + 10 + i) for i, (train, _) in enumerate(ds.outer)]
    return ds


def _prepared(frame, sets, codebook):
    from kcc_text.classifier import prepare

    data = prepare(frame, sets, codebook)
    by_id = dict(zip(frame["id"], frame["text"].fillna("")))
    texts = [str(by_id[i]) for i in data.ids]
    return data, texts


def load_semeval(xml: str | Path, k: int = 5) -> Dataset:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from semeval import write_files

    from kcc_text.codebook import load_codebook
    from kcc_text.corpus import read_corpus
    from kcc_text.labels import label_sets, read_labels

    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(xml, tmp)
        codebook = load_codebook(files.codebook)
        frame = read_corpus(files.corpus)
        sets = label_sets(read_labels(files.labels, codebook.theme_ids))
        data, texts = _prepared(frame, sets, codebook)
    return _nest(Dataset("semeval", texts, data.rows["lemmas"].tolist(), data.Y, data.applies, None,
                         list(data.groups), list(data.themes), False), k)


def load_phones_single(xml: str | Path, k: int = 5, min_count: int = 8) -> Dataset:
    """Single-label proxy from the phones training file (see the module docstring)."""
    import collections
    import sys

    import numpy as np

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from semeval import read_sentences

    from kcc_text.classifier import lemma_text
    from kcc_text.nlp import load_pipeline

    rows = [(sid, rid, text, next(iter(ts))) for sid, rid, text, ts in read_sentences(xml) if len(ts) == 1]
    counts = collections.Counter(t for *_, t in rows)
    themes = sorted(t for t, c in counts.items() if c >= min_count)
    rows = [r for r in rows if r[3] in themes]
    nlp = load_pipeline()
    lemmas = [lemma_text(d) for d in nlp.pipe([r[2] for r in rows])]
    Y = np.array([[r[3] == t for t in themes] for r in rows], dtype=int)
    return _nest(Dataset("phones1", [r[2] for r in rows], lemmas, Y, np.ones(Y.shape, dtype=bool), None,
                         [r[1] for r in rows], themes, True), k)


def _kcc_parts(corpus, labels, codebook):
    from kcc_text.codebook import load_codebook
    from kcc_text.corpus import read_corpus
    from kcc_text.labels import label_sets, read_labels

    cb = load_codebook(codebook)
    frame = read_corpus(corpus)
    sets = label_sets(read_labels(labels, cb.theme_ids))
    return cb, frame, sets


def load_kcc(k: int = 5) -> Dataset:
    cb, frame, sets = _kcc_parts(REPO / "corpus" / "kcc-2020.csv", REPO / "corpus" / "kcc-2020.labels.csv",
                                 REPO / "codebooks" / "kcc.yaml")
    data, texts = _prepared(frame, sets, cb)
    return _nest(Dataset("kcc", texts, data.rows["lemmas"].tolist(), data.Y, data.applies, data.rule_hits,
                         list(data.groups), list(data.themes), False), k)


def load_holdout(k: int = 5) -> Dataset:
    """Bundled corpus (training) followed by the held-out answers (test): one outer split."""
    import numpy as np

    codebook = REPO / "codebooks" / "kcc.yaml"
    cb, frame, sets = _kcc_parts(REPO / "corpus" / "kcc-2020.csv", REPO / "corpus" / "kcc-2020.labels.csv",
                                 codebook)
    _, hframe, hsets = _kcc_parts(REPO / "bench" / "holdout" / "kcc-holdout.csv",
                                  REPO / "bench" / "holdout" / "kcc-holdout.labels.csv", codebook)
    a, ta = _prepared(frame, sets, cb)
    b, tb = _prepared(hframe, hsets, cb)
    n_a = len(a.ids)
    ds = Dataset("holdout", ta + tb, a.rows["lemmas"].tolist() + b.rows["lemmas"].tolist(),
                 np.vstack([a.Y, b.Y]), np.vstack([a.applies, b.applies]), np.vstack([a.rule_hits, b.rule_hits]),
                 list(a.groups) + ["holdout:" + i for i in b.ids], list(a.themes), False)
    ds.outer = [(np.arange(n_a), np.arange(n_a, ds.n))]
    return _nest(ds, k)
