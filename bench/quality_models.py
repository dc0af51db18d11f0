"""Classifier designs for bench_quality.py: feature blocks, nested fits, calibration, thresholds.

Bench code. Every design is scored nested: inside each outer training part, inner grouped folds
give out-of-fold decision values; calibration, thresholds, C and the review cut-off are chosen
on those only, then applied to the outer test fold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NEVER = -20.0


# --- feature blocks, fitted on a training part, transforming every row -----------------------------

class Blocks:
    """Feature matrices per (block, training part), each over all rows of the data set."""

    def __init__(self, ds, embeddings: dict | None = None):
        self.ds = ds
        self.embeddings = embeddings or {}
        self._cache: dict = {}

    def get(self, block: str, train_idx):
        key = (block, train_idx.tobytes())
        if key not in self._cache:
            self._cache[key] = self._make(block, train_idx)
        return self._cache[key]

    def _make(self, block: str, train_idx):
        from scipy.sparse import csr_matrix
        from sklearn.feature_extraction.text import TfidfVectorizer

        ds = self.ds
        if block == "word":  # the plain baseline's words: raw text, 1-2-grams
            vec = TfidfVectorizer(ngram_range=(1, 2))
            src = ds.texts
        elif block == "char":  # the plain baseline's characters: 3-5-grams across word boundaries
            vec = TfidfVectorizer(analyzer="char", ngram_range=(3, 5))
            src = ds.texts
        elif block == "charwb_sub":  # kcc-text's: 2-5-grams within words, sublinear tf, min_df 2
            vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
            src = [t.lower() for t in ds.texts]
        elif block == "word_sub":
            vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
            src = ds.texts
        elif block == "char_sub":
            vec = TfidfVectorizer(analyzer="char", ngram_range=(3, 5), sublinear_tf=True)
            src = ds.texts
        elif block == "lemma":  # lemma 1-2-grams from the Dutch pipeline, negated words as neg_<lemma>
            vec = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), sublinear_tf=True)
            src = ds.lemmas
        elif block == "rules":
            return csr_matrix(ds.hits.astype(float))
        elif block.startswith("knn"):
            return csr_matrix(self._knn(train_idx, k=int(block[3:] or 10)))
        elif block.startswith("emb"):
            return csr_matrix(self.embeddings[block])
        else:
            raise ValueError(block)
        vec.fit([src[i] for i in train_idx])
        return vec.transform(src).tocsr()

    def _knn(self, train_idx, k: int, temperature: float = 0.05):
        """Per row, the similarity-weighted theme shares of its k nearest training answers (e5 space).

        Answers of the row's own group (review, respondent) are left out, so a training row's
        value is what an unseen answer would get.
        """
        E = self.embeddings["emb_query"]
        S = E @ E[train_idx].T
        groups = np.asarray(self.ds.groups)
        S[groups[:, None] == groups[train_idx][None, :]] = -np.inf
        k = min(k, S.shape[1] - 1)
        top = np.argpartition(-S, k, axis=1)[:, :k]
        sims = np.take_along_axis(S, top, axis=1)
        w = np.exp((sims - sims.max(axis=1, keepdims=True)) / temperature)
        w[~np.isfinite(sims)] = 0.0
        w /= np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
        Yt = self.ds.Y[train_idx].astype(float)
        return np.einsum("nk,nkm->nm", w, Yt[top])

    def matrix(self, spec, train_idx):
        """hstack of the weighted blocks of a design, fitted on `train_idx`."""
        from scipy.sparse import hstack

        parts = [self.get(b, train_idx) * w for b, w in spec]
        return hstack(parts).tocsr() if len(parts) > 1 else parts[0].tocsr()


def fit_scores(X, ds, train_idx, eval_idx, C: float, *, dense: bool = False):
    """One class-balanced logistic regression per theme (on answers its question applies to).

    liblinear's dual solver for the sparse designs (20x faster than its primal here, same optimum);
    lbfgs for embeddings alone (dense, 384 columns).
    """
    from sklearn.linear_model import LogisticRegression

    out = np.full((len(eval_idx), len(ds.themes)), NEVER)
    Xt, Xe = X[train_idx], X[eval_idx]
    if dense:
        Xt, Xe = Xt.toarray(), Xe.toarray()
    for j in range(len(ds.themes)):
        rows = ds.applies[train_idx, j]
        y = ds.Y[train_idx, j][rows]
        if y.min() == y.max():
            continue
        if dense:
            clf = LogisticRegression(C=C, class_weight="balanced", solver="lbfgs", max_iter=2000)
        else:
            clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True, max_iter=2000)
        clf.fit(Xt[rows], y)
        out[:, j] = clf.decision_function(Xe)
    return out


@dataclass
class Run:
    """Decision values of one design: inner out-of-fold per outer fold, and outer test."""

    inner: list  # per outer fold: (n_train,) -> array over ds.outer[k][0] rows
    test: list  # per outer fold: array over ds.outer[k][1] rows
    C: list = field(default_factory=list)


def run_design(ds, blocks: Blocks, spec, C: float) -> Run:
    inner, test = [], []
    dense = all(b.startswith("emb") for b, _ in spec)
    for k, (train, test_idx) in enumerate(ds.outer):
        oof = np.full((len(train), len(ds.themes)), NEVER)
        pos = {r: i for i, r in enumerate(train)}
        for tr, va in ds.inner[k]:
            X = blocks.matrix(spec, tr)
            oof[[pos[r] for r in va]] = fit_scores(X, ds, tr, va, C, dense=dense)
        inner.append(oof)
        test.append(fit_scores(blocks.matrix(spec, train), ds, train, test_idx, C, dense=dense))
    return Run(inner, test, [C] * len(ds.outer))


def tuned(ds, runs_by_C: dict, criterion) -> Run:
    """Per outer fold, the C whose inner out-of-fold values score best (criterion(k, inner) -> float)."""
    inner, test, Cs = [], [], []
    for k in range(len(ds.outer)):
        best = max(runs_by_C, key=lambda C: criterion(k, runs_by_C[C].inner[k]))
        inner.append(runs_by_C[best].inner[k])
        test.append(runs_by_C[best].test[k])
        Cs.append(best)
    return Run(inner, test, Cs)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def logit(p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return np.log(p / (1 - p))


def average_runs(a: Run, b: Run, weight: float = 0.5) -> Run:
    """Late fusion: the mean of the two models' raw probabilities, as a decision value."""
    mix = lambda x, y: logit((1 - weight) * sigmoid(x) + weight * sigmoid(y))  # noqa: E731
    return Run([mix(x, y) for x, y in zip(a.inner, b.inner)], [mix(x, y) for x, y in zip(a.test, b.test)])


# --- calibration and thresholds -------------------------------------------------------------------

def calibrate(method: str, s_in, y_in, m_in, s_out):
    """Per theme: probabilities for the inner rows and the test rows from decision values."""
    from sklearn.isotonic import IsotonicRegression

    p_in, p_out = sigmoid(s_in), sigmoid(s_out)
    degenerate = 0
    if method == "raw":
        return p_in, p_out, 0
    for j in range(s_in.shape[1]):
        rows = m_in[:, j] & (s_in[:, j] > NEVER)
        y = y_in[rows, j]
        if rows.sum() == 0 or y.min() == y.max():
            continue
        x = s_in[rows, j]
        if method == "platt":
            a, b = platt_fit(x, y)
            if a <= 0:  # degenerate: keep the raw probabilities rather than a flat or reversed map
                degenerate += 1
                continue
            p_in[:, j] = sigmoid(a * s_in[:, j] + b)
            p_out[:, j] = sigmoid(a * s_out[:, j] + b)
        elif method == "isotonic":
            iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(x, y)
            p_in[:, j] = iso.predict(s_in[:, j])
            p_out[:, j] = iso.predict(s_out[:, j])
        else:
            raise ValueError(method)
        p_in[s_in[:, j] <= NEVER, j] = 0.0
        p_out[s_out[:, j] <= NEVER, j] = 0.0
    return p_in, p_out, degenerate


def platt_fit(x, y, ridge: float = 1e-4, iters: int = 50):
    """(a, b) of p = sigmoid(a x + b) by Newton's method (the same fit as scikit-learn's
    LogisticRegression(C=1e4) on one feature, without its per-call overhead)."""
    X = np.column_stack([x, np.ones_like(x)])
    w = np.zeros(2)
    for _ in range(iters):
        p = sigmoid(X @ w)
        g = X.T @ (p - y) + ridge * np.array([w[0], 0.0])
        H = (X * (p * (1 - p))[:, None]).T @ X + np.diag([ridge, 1e-9])
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return float(w[0]), float(w[1])


GRID = np.round(np.arange(0.02, 0.981, 0.01), 2)


def _f1_at(y, p, t):
    pred = p >= t
    tp = float((pred & (y == 1)).sum())
    d = pred.sum() + y.sum()
    return 2 * tp / d if d else 0.0


def best_threshold(y, p):
    best, f = 0.5, -1.0
    for t in GRID:
        v = _f1_at(y, p, t)
        if v > f + 1e-12:
            best, f = float(t), v
    return best


def thresholds(method: str, P, Y, M, shrink: float = 20.0):
    m = P.shape[1]
    if method == "0.5":
        return np.full(m, 0.5)
    y_all, p_all = Y[M], P[M]
    g = best_threshold(y_all, p_all)
    if method == "global":
        return np.full(m, g)
    out = np.full(m, g)
    for j in range(m):
        y = Y[M[:, j], j]
        if y.sum() == 0:
            continue
        own = best_threshold(y, P[M[:, j], j])
        w = 1.0 if method == "theme" else y.sum() / (y.sum() + shrink)
        out[j] = w * own + (1 - w) * g
    return out


def decide(P, t, M, fallback: bool = False, empty=None):
    D = (P >= t[None, :]) & M
    if fallback:
        none = ~D.any(axis=1)
        if empty is not None:
            none &= ~empty
        Pm = np.where(M, P, -1.0)
        best = Pm.argmax(axis=1)
        D[np.flatnonzero(none), best[none]] = True
    return D


@dataclass
class Post:
    calibration: str = "platt"
    threshold: str = "shrunk"  # "0.5", "global", "theme", "shrunk"
    fallback: bool = False  # assign the most probable theme when none passes
    hybrid: str = "model"  # "model", or "measured": per theme model / rules / rules OR model by inner F1


@dataclass
class Outcome:
    pred: object  # (n, m) bool over all rows scored (outer test folds pooled)
    P: object  # calibrated test probabilities
    rows: object  # absolute indices of the scored rows
    per_fold: list  # [(test_idx, P_test, D_test, P_inner, D_inner, train_idx)]
    degenerate: int = 0


def apply_post(ds, run: Run, post: Post) -> Outcome:
    empty = np.array([not t.strip() for t in ds.texts])
    rows, preds, probs, per_fold, degenerate = [], [], [], [], 0
    for k, (train, test) in enumerate(ds.outer):
        Yi, Mi = ds.Y[train], ds.applies[train]
        p_in, p_out, dg = calibrate(post.calibration, run.inner[k], Yi, Mi, run.test[k])
        degenerate += dg
        t = thresholds(post.threshold, p_in, Yi, Mi)
        D_in = decide(p_in, t, Mi, post.fallback, empty[train])
        D_out = decide(p_out, t, ds.applies[test], post.fallback, empty[test])
        if post.hybrid == "measured" and ds.hits is not None:
            for j in range(len(ds.themes)):
                y = Yi[:, j] == 1
                rules_in = ds.hits[train, j] & Mi[:, j]
                options = {"model": D_in[:, j], "rules": rules_in, "or": D_in[:, j] | rules_in}
                f1 = {name: _f1(y, d) for name, d in options.items()}
                choice = max(("model", "or", "rules"), key=lambda n: f1[n] + (1e-9 if n == "model" else 0))
                rules_out = ds.hits[test, j] & ds.applies[test, j]
                if choice == "rules":
                    D_in[:, j], D_out[:, j] = rules_in, rules_out
                elif choice == "or":
                    D_in[:, j] |= rules_in
                    D_out[:, j] |= rules_out
        D_in[empty[train]] = False
        D_out[empty[test]] = False
        rows.append(test)
        preds.append(D_out)
        probs.append(p_out)
        per_fold.append((test, p_out, D_out, p_in, D_in, train))
    return Outcome(np.vstack(preds), np.vstack(probs), np.concatenate(rows), per_fold, degenerate)


def _f1(y, d):
    tp = float((y & d).sum())
    den = float(y.sum() + d.sum())
    return 2 * tp / den if den else 0.0


@dataclass
class Avg:
    precision: float
    recall: float
    f1: float


@dataclass
class Score:
    micro: Avg
    macro: Avg
    exact_accuracy: float


def score(ds, out: Outcome) -> Score:
    """Micro/macro P, R, F1 and exact-set accuracy, as kcc_text.evaluation.score_matrix defines them
    (macro over the themes present in the gold codes), without its per-theme kappa."""
    gold = ds.Y[out.rows] == 1
    pred = out.pred
    tp = (gold & pred).sum(axis=0).astype(float)
    ng, npred = gold.sum(axis=0).astype(float), pred.sum(axis=0).astype(float)
    r = lambda a, b: a / b if b else 0.0  # noqa: E731
    micro = Avg(r(tp.sum(), npred.sum()), r(tp.sum(), ng.sum()), r(2 * tp.sum(), ng.sum() + npred.sum()))
    present = np.flatnonzero(ng > 0)
    macro = Avg(*(float(np.mean([f(j) for j in present])) for f in (
        lambda j: r(tp[j], npred[j]), lambda j: r(tp[j], ng[j]), lambda j: r(2 * tp[j], ng[j] + npred[j]))))
    return Score(micro, macro, float((gold == pred).all(axis=1).mean()))


# --- selective coding: answer-level confidence and the review cut-off ------------------------------

def product_confidence(P, D, M):
    """log P(whole theme set right) if the themes' decisions were independent."""
    right = np.clip(np.where(D, P, 1.0 - P), 1e-9, 1.0)
    return np.where(M, np.log(right), 0.0).sum(axis=1)


def meta_features(P, D, M, t):
    """Answer-level summaries a small logistic model turns into P(theme set right)."""
    lp = product_confidence(P, D, M)
    z = np.where(M, np.abs(logit(P) - logit(np.clip(t, 1e-3, 1 - 1e-3))[None, :]), 50.0)
    zs = np.sort(z, axis=1)
    n_assigned = D.sum(axis=1)
    top = np.sort(np.where(M, P, 0.0), axis=1)[:, ::-1]
    return np.column_stack([lp, zs[:, 0], zs[:, 1] if z.shape[1] > 1 else zs[:, 0], np.minimum(n_assigned, 3),
                            n_assigned == 0, top[:, 0], top[:, 1] if top.shape[1] > 1 else top[:, 0]])


def meta_confidence(F_in, correct_in, groups_in, F_out, seed: int = 0):
    """(cross-fitted confidences of the inner rows, confidences of the test rows) from a logistic model."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    make = lambda: make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))  # noqa: E731
    conf_in = np.zeros(len(F_in))
    y = correct_in.astype(int)
    if y.min() == y.max():
        return np.full(len(F_in), float(y[0])), np.full(len(F_out), float(y[0]))
    splitter = GroupKFold(n_splits=5, shuffle=True, random_state=seed)
    for a, b in splitter.split(F_in, groups=groups_in):
        if y[a].min() == y[a].max():
            conf_in[b] = y[a].mean()
            continue
        conf_in[b] = make().fit(F_in[a], y[a]).predict_proba(F_in[b])[:, 1]
    conf_out = make().fit(F_in, y).predict_proba(F_out)[:, 1]
    return np.log(np.clip(conf_in, 1e-9, 1)), np.log(np.clip(conf_out, 1e-9, 1))


def lower_bound(k, n, rule: str):
    """Lower confidence bound for an accuracy k/n."""
    from scipy.stats import beta, norm

    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    if rule == "point":
        return k / n
    if rule.startswith("wilson"):
        z = {"wilson1": 1.0, "wilson95": norm.ppf(0.95)}[rule]
        p = k / n
        centre = p + z * z / (2 * n)
        spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre - spread) / (1 + z * z / n)
    if rule == "cp95":  # one-sided 95% Clopper-Pearson
        return np.where(k > 0, beta.ppf(0.05, k, n - k + 1), 0.0)
    raise ValueError(rule)


def choose_cutoff(conf, correct, target: float, rule: str) -> float:
    """The most inclusive confidence cut-off whose accepted answers' accuracy bound is >= target."""
    order = np.argsort(-conf, kind="stable")
    c = conf[order]
    k = np.cumsum(correct[order].astype(float))
    last = np.flatnonzero(np.append(c[1:] != c[:-1], True))
    n = last + 1.0
    ok = np.flatnonzero(lower_bound(k[last], n, rule) >= target)
    return float(c[last[ok[-1]]]) if len(ok) else float("inf")
