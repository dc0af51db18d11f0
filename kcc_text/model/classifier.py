"""The trained theme classifier: features, estimators, thresholds, calibration, and the hybrid decision.

How a theme is decided (the hybrid rule, chosen by measurement; see bench/README.md):

1. Features per answer: TF-IDF of lemma uni- and bigrams from the Dutch pipeline (a negated
   word also counts as `neg_<lemma>`), TF-IDF of character 2-5-grams within words of the
   lower-cased text (spelling variants, typos, Dutch compounds; n-grams seen in one answer
   only are dropped), the codebook's pattern hits (one binary feature per theme) and the
   question the answer belongs to.
2. One logistic regression per theme (class-balanced, liblinear), trained only on answers
   to the questions the theme applies to. Its decision value is calibrated to a probability
   with Platt scaling fitted on out-of-fold decision values (grouped k-fold, by respondent
   where the corpus has `respondent_id`): `p_<id>` in the coded output.
3. Thresholds per theme are tuned on those out-of-fold probabilities: the one threshold that
   maximises micro-F1 over all themes, moved towards the theme's own F1-optimal threshold in
   proportion to its number of examples (n / (n + 20)), because the optimum of a theme with a
   dozen examples is mostly noise.
4. A theme is assigned when its probability passes its threshold. Pattern hits are evidence
   the model weighs (a feature), not a veto-free override: on the bundled corpus "rules OR
   model" scored lower than the model with pattern features (nested 5-fold micro-F1 0.855
   against 0.857; rules alone 0.826). Themes with too few examples to learn are found by their
   patterns alone. `src_<id>` says `rules` (pattern only), `model` (model only) or `both`.
5. Semi-automatic coding (selective classification): an answer's confidence is the product
   over its themes of the probability that each decision is right (p when assigned, 1 - p
   when not). Out of fold, the answers are sorted by confidence; for a target precision P the
   model codes automatically the largest most-confident share whose measured exact-set
   accuracy is still >= P (Wilson lower bound, z = 1, so that a handful of lucky answers does
   not set the cut-off). `needs_review=0` for those (and for empty answers), 1 for the rest.
   Without --target-precision, the model uses 0.9.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from ..codebook.definition import Codebook
from ..coding import AnswerCode
from ..errors import ModelError, UsageError

MIN_POSITIVES = 5
SHRINK = 20.0
DEFAULT_TARGET_PRECISION = 0.9
FORMAT = "kcc-text-model"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ModelParams:
    """Settings of the default model (decided once, on principle, not tuned per data set)."""

    C: float = 3.0
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    char_min_df: int = 2
    class_weight: str | None = "balanced"
    folds: int = 5
    min_positives: int = MIN_POSITIVES
    shrink: float = SHRINK
    hybrid: str = "model"  # "model": pattern hits are features only; "or": rules OR model; "measured": per theme
    review_z: float = 1.0
    seed: int = 0


# --- features -----------------------------------------------------------------------------------

def lemma_text(doc) -> str:
    """Lemmas of the words (numbers as <num>); a negated word also as neg_<lemma>."""
    negated = doc._.kcc_negated or [False] * len(doc)
    words = []
    for token, neg in zip(doc, negated):
        if token.is_punct or token.is_space:
            continue
        lemma = "<num>" if token.like_num else (token.lemma_ or token.lower_).lower()
        words.append(lemma)
        if neg:
            words.append("neg_" + lemma)
    return " ".join(words)


def feature_rows(docs, evidence, questions):
    """The model's input: one row per answer with lemma text, character text, rule hits, question."""
    import pandas as pd

    return pd.DataFrame({
        "lemmas": [lemma_text(d) for d in docs],
        "chars": [d.text.lower() for d in docs],
        "rules": [" ".join(e) for e in evidence],
        "question": [q or "" for q in questions],
    })


def build_features(params: ModelParams, themes: list[str], *, n_answers: int = 1_000):
    """The feature transformer; only scikit-learn types, so that skops can save it safely."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.preprocessing import OneHotEncoder

    parts = [
        ("lemmas", TfidfVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=params.word_ngrams,
                                   sublinear_tf=True), "lemmas"),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=params.char_ngrams, sublinear_tf=True,
                                  # A handful of answers cannot spare n-grams seen once.
                                  min_df=params.char_min_df if n_answers >= 50 else 1), "chars"),
        ("question", OneHotEncoder(handle_unknown="ignore"), ["question"]),
    ]
    # A fixed vocabulary: a fold without any pattern hit still has the columns.
    parts.append(("rules", CountVectorizer(token_pattern=r"\S+", lowercase=False, binary=True,
                                           vocabulary=list(themes)), "rules"))
    return ColumnTransformer(parts, sparse_threshold=1.0)


def build_classifier(params: ModelParams):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=params.C, class_weight=params.class_weight, solver="liblinear", dual=True,
                              max_iter=1000, random_state=params.seed)


# --- training -----------------------------------------------------------------------------------

@dataclass
class TrainingData:
    """Parsed answers with their gold codes, ready for fitting (parse once, fit many times)."""

    rows: object  # DataFrame from feature_rows
    Y: object  # (n, themes) 0/1 array
    applies: object  # (n, themes) bool array: theme applies to the answer's question
    rule_hits: object  # (n, themes) bool array
    empty: object  # (n,) bool: empty text
    groups: list[str]
    ids: list[str]
    themes: list[str]
    data_hash: str
    pipeline: str
    grouped_by: str = "id"


def prepare(frame, label_sets, codebook: Codebook, *, nlp=None, batch_size: int = 512) -> TrainingData:
    """Parse the coded answers of `frame` (those in `label_sets`) and line them up with their codes."""
    import numpy as np

    from ..nlp.pipeline import load_pipeline, pipeline_id
    from ..rules import RuleMatcher

    coded = frame[frame["id"].isin(label_sets.keys())].reset_index(drop=True)
    nlp = nlp or load_pipeline()
    matcher = RuleMatcher(codebook, nlp)
    questions = [q or None for q in coded["question"]] if "question" in coded.columns else [None] * len(coded)
    texts = coded["text"].tolist()
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    evidence = [matcher.match(d, q) if d.text.strip() else {} for d, q in zip(docs, questions)]
    themes = codebook.theme_ids
    ids = coded["id"].tolist()
    Y = np.array([[t in label_sets[i] for t in themes] for i in ids], dtype=int).reshape(len(ids), len(themes))
    applies = np.array([[codebook.theme(t).applies_to(q) for t in themes] for q in questions],
                       dtype=bool).reshape(len(ids), len(themes))
    hits = np.array([[t in e for t in themes] for e in evidence], dtype=bool).reshape(len(ids), len(themes))
    grouped = "respondent_id" in coded.columns and (coded["respondent_id"].astype(str).str.strip() != "").all()
    groups = coded["respondent_id"].astype(str).tolist() if grouped else list(ids)
    digest = hashlib.sha256()
    for i, text, q in zip(ids, texts, questions):
        digest.update(json.dumps([i, text, q or "", sorted(label_sets[i])], ensure_ascii=False).encode())
    return TrainingData(rows=feature_rows(docs, evidence, questions), Y=Y, applies=applies, rule_hits=hits,
                        empty=np.array([not t.strip() for t in texts], dtype=bool), groups=groups, ids=ids,
                        themes=themes, data_hash=digest.hexdigest()[:16], pipeline=pipeline_id(nlp),
                        grouped_by="respondent_id" if grouped else "id")


def fold_splits(groups, n_folds: int, seed: int = 0):
    """Grouped k-fold splits (answers of one respondent stay together)."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    n_groups = len(set(groups))
    k = min(n_folds, n_groups)
    if k < 2:
        raise UsageError(f"need answers of at least 2 respondents to cross-validate (got {n_groups})")
    dummy = np.zeros(len(groups))
    try:
        splitter = GroupKFold(n_splits=k, shuffle=True, random_state=seed)
    except TypeError:  # scikit-learn < 1.6 cannot shuffle groups
        splitter = GroupKFold(n_splits=k)
    return list(splitter.split(dummy, groups=groups))


class _Fitted:
    """Feature transformer plus one classifier per learnable theme, fitted on some rows."""

    def __init__(self, features, classifiers: dict):
        self.features = features
        self.classifiers = classifiers

    @classmethod
    def fit(cls, data: TrainingData, index, learnable: list[str], params: ModelParams):
        import numpy as np

        features = build_features(params, data.themes, n_answers=len(index))
        try:
            X = features.fit_transform(data.rows.iloc[index])
        except ValueError:  # scikit-learn: empty vocabulary
            raise UsageError(f"too little text in the coded answers to learn from ({len(index)} answers "
                             "in a training fold)") from None
        classifiers = {}
        for j, theme in enumerate(data.themes):
            if theme not in learnable:
                continue
            rows = np.flatnonzero(data.applies[index, j])
            y = data.Y[index, j][rows]
            if y.min() == y.max():  # this fold has only one class: nothing to learn here
                continue
            classifiers[theme] = build_classifier(params).fit(X[rows], y)
        return cls(features, classifiers)

    def decision(self, rows, themes: list[str]):
        import numpy as np

        X = self.features.transform(rows)
        out = np.full((X.shape[0], len(themes)), -20.0)
        for j, theme in enumerate(themes):
            clf = self.classifiers.get(theme)
            if clf is not None:
                out[:, j] = clf.decision_function(X)
        return out


def _platt(scores, y):
    """(a, b) with p = 1 / (1 + exp(-(a * score + b))), fitted on out-of-fold scores."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if y.min() == y.max():
        return (0.0, -20.0 if y.max() == 0 else 20.0)
    lr = LogisticRegression(C=1e4, solver="lbfgs").fit(np.asarray(scores).reshape(-1, 1), y)
    return (float(lr.coef_[0, 0]), float(lr.intercept_[0]))


def _sigmoid(z):
    import numpy as np

    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _best_threshold(y_true, probs, grid) -> tuple[float, float]:
    """The threshold with the highest F1 (ties: the lowest), and that F1."""

    positives = y_true.sum()
    best = (0.5, -1.0)
    for t in grid:
        pred = probs >= t
        tp = float((pred & (y_true == 1)).sum())
        denom = pred.sum() + positives
        f1 = 2 * tp / denom if denom else 0.0
        if f1 > best[1] + 1e-12:
            best = (float(t), f1)
    return best


def tune_thresholds(Y, P, mask, learnable, shrink: float) -> dict[int, float]:
    """Per-theme thresholds: the micro-F1 optimum shrunk towards each theme's own optimum."""
    import numpy as np

    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    cols = [j for j in learnable]
    y_all = np.concatenate([Y[mask[:, j], j] for j in cols]) if cols else np.zeros(0)
    p_all = np.concatenate([P[mask[:, j], j] for j in cols]) if cols else np.zeros(0)
    global_t, _ = _best_threshold(y_all, p_all, grid) if len(y_all) else (0.5, 0.0)
    thresholds = {}
    for j in cols:
        own, _ = _best_threshold(Y[mask[:, j], j], P[mask[:, j], j], grid)
        n = float(Y[mask[:, j], j].sum())
        w = n / (n + shrink)
        thresholds[j] = float(w * own + (1 - w) * global_t)
    return thresholds


def decide(P, thresholds, rule_hits, applies, use_rules, learnable):
    """Model decisions, rule decisions and the hybrid decision as boolean arrays."""
    import numpy as np

    model = np.zeros(P.shape, dtype=bool)
    for j, t in thresholds.items():
        model[:, j] = (P[:, j] >= t) & applies[:, j]
    rules = rule_hits & applies
    hybrid = model.copy()
    for j in range(P.shape[1]):
        if use_rules[j] or j not in learnable:
            hybrid[:, j] |= rules[:, j]
    return model, rules, hybrid


def decision_confidence(P, decided, applies, learnable_mask):
    """log of the product over modelled themes of P(decision right)."""
    import numpy as np

    right = np.where(decided, P, 1.0 - P)
    right = np.clip(right, 1e-6, 1.0)
    use = applies & learnable_mask[None, :]
    return np.where(use, np.log(right), 0.0).sum(axis=1)


def selective_curve(confidence, exact) -> dict:
    """Out-of-fold accuracy of "code automatically every answer at least this confident", per cut-off.

    Arrays in order of falling confidence, one entry per distinct confidence: the cut-off, how
    many answers reach it and how many of those had exactly the right theme set.
    """
    import numpy as np

    order = np.argsort(-np.asarray(confidence), kind="stable")
    conf = np.asarray(confidence, dtype=float)[order]
    correct = np.cumsum(np.asarray(exact, dtype=float)[order])
    last_of_tie = np.flatnonzero(np.append(conf[1:] != conf[:-1], True)) if len(conf) else np.zeros(0, int)
    return {"confidence": conf[last_of_tie], "n": (last_of_tie + 1).astype(float), "correct": correct[last_of_tie]}


def wilson_lower(correct, n, z: float):
    """Lower end of the Wilson score interval for a proportion (z = 0 gives the proportion itself)."""
    import numpy as np

    n = np.asarray(n, dtype=float)
    p = np.asarray(correct, dtype=float) / np.maximum(n, 1)
    if z == 0:
        return p
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (centre - spread) / (1 + z2 / n)


def review_cutoff(curve: dict, target: float, z: float) -> float:
    """The lowest confidence at which the answers coded automatically are still right often enough.

    Selective classification: of all cut-offs, take the most inclusive one whose out-of-fold
    exact-set accuracy (its Wilson lower bound at `z`) is at least `target`. Answers at or above
    it are coded automatically; with no such cut-off, every answer goes to a person.
    """
    import numpy as np

    if len(curve["n"]) == 0:
        return float("inf")
    ok = np.flatnonzero(wilson_lower(curve["correct"], curve["n"], z) >= target)
    return float(curve["confidence"][ok[-1]]) if len(ok) else float("inf")


@dataclass
class OutOfFold:
    """Held-out-fold results at training time: what calibration, thresholds and the review map learn from."""

    P: object
    model: object
    rules: object
    hybrid: object
    confidence: object


def train_model(frame, label_sets, codebook: Codebook, *, params: ModelParams | None = None, nlp=None,
                data: TrainingData | None = None) -> "KccModel":
    """Train the hybrid model on coded answers (`label_sets` from `labels.label_sets`)."""
    params = params or ModelParams()
    if data is None:
        data = prepare(frame, label_sets, codebook, nlp=nlp)
    if len(data.ids) == 0:
        raise UsageError("none of the answers in the corpus has a code in the labels file")
    return fit(data, codebook, params)


def fit(data: TrainingData, codebook: Codebook, params: ModelParams) -> "KccModel":
    """Out-of-fold scores -> calibration, thresholds, hybrid rule and review curve; then the final fit."""
    import numpy as np

    themes = data.themes
    positives = {t: int(data.Y[:, j].sum()) for j, t in enumerate(themes)}
    negatives = {t: int((data.applies[:, j] & (data.Y[:, j] == 0)).sum()) for j, t in enumerate(themes)}
    learnable = [t for t in themes if positives[t] >= params.min_positives
                 and negatives[t] >= params.min_positives]
    too_few = [t for t in themes if t not in learnable]
    learn_idx = [themes.index(t) for t in learnable]
    splits = fold_splits(data.groups, params.folds, params.seed)

    scores = np.full(data.Y.shape, -20.0)
    for train_idx, test_idx in splits:
        fitted = _Fitted.fit(data, train_idx, learnable, params)
        scores[test_idx] = fitted.decision(data.rows.iloc[test_idx], themes)

    platt = {}
    P = np.zeros(data.Y.shape)
    for j in learn_idx:
        rows = data.applies[:, j]
        platt[themes[j]] = _platt(scores[rows, j], data.Y[rows, j])
        a, b = platt[themes[j]]
        P[:, j] = np.where(data.applies[:, j], _sigmoid(a * scores[:, j] + b), 0.0)
    thresholds_idx = tune_thresholds(data.Y, P, data.applies, learn_idx, params.shrink)

    # hybrid="measured": rules OR model for the themes where that scored at least as well out of fold.
    model_dec, rules_dec, _ = decide(P, thresholds_idx, data.rule_hits, data.applies,
                                     [False] * len(themes), set(learn_idx))
    use_rules = []
    for j in range(len(themes)):
        if params.hybrid == "or":
            use_rules.append(True)
        elif params.hybrid == "model":
            use_rules.append(False)
        else:
            y = data.Y[:, j] == 1
            use_rules.append(_f1(y, model_dec[:, j] | rules_dec[:, j]) >= _f1(y, model_dec[:, j])
                             and rules_dec[:, j].any())
    model_dec, rules_dec, hybrid_dec = decide(P, thresholds_idx, data.rule_hits, data.applies, use_rules,
                                              set(learn_idx))
    learn_mask = np.array([j in learn_idx for j in range(len(themes))])
    conf = decision_confidence(P, hybrid_dec, data.applies, learn_mask)
    exact = (hybrid_dec == (data.Y == 1)).all(axis=1)
    review_curve = selective_curve(conf[~data.empty], exact[~data.empty])

    final = _Fitted.fit(data, np.arange(len(data.ids)), learnable, params)
    oof = OutOfFold(P=P, model=model_dec, rules=rules_dec, hybrid=hybrid_dec, confidence=conf)
    card = _card(data, codebook, params, positives, too_few, oof, len(splits))
    model = KccModel(
        card=card, features=final.features, classifiers=final.classifiers, platt=platt,
        thresholds={themes[j]: t for j, t in thresholds_idx.items()},
        rules_or={t: bool(u) for t, u in zip(themes, use_rules)}, review_curve=review_curve,
        review_z=params.review_z,
    )
    model.out_of_fold = oof
    return model


def _f1(y, pred) -> float:
    tp = float((y & pred).sum())
    denom = float(y.sum() + pred.sum())
    return 2 * tp / denom if denom else 0.0


def _card(data: TrainingData, codebook: Codebook, params: ModelParams, positives, too_few, oof, k) -> dict:
    from ..analysis.evaluation import score_matrix

    gold = data.Y == 1
    cv = {}
    for name, pred in (("hybrid", oof.hybrid), ("model", oof.model), ("rules", oof.rules)):
        s = score_matrix(gold, pred, data.themes, applies=data.applies)
        cv[name] = {"micro_f1": s.micro.f1, "macro_f1": s.macro.f1, "exact_set_accuracy": s.exact_accuracy,
                    "per_theme": {t.theme: {"precision": t.precision, "recall": t.recall, "f1": t.f1,
                                            "support": t.support} for t in s.themes}}
    card = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "codebook": {"name": codebook.name, "version": codebook.version, "hash": codebook.hash,
                     "themes": codebook.theme_ids},
        "training_data": {"hash": data.data_hash, "n_answers": len(data.ids),
                          "n_respondent_groups": len(set(data.groups))},
        "label_counts": positives,
        "too_few_examples": too_few,
        "min_positives": params.min_positives,
        "cross_validation": {"folds": k, "grouped_by": data.grouped_by,
                             "note": "out-of-fold predictions of the training run; thresholds and calibration "
                                     "were tuned on the same folds, so these are slightly optimistic (use "
                                     "`kcc-text evaluate` without --model for nested cross-validation)",
                             **cv},
        "params": {k2: list(v) if isinstance(v, tuple) else v for k2, v in asdict(params).items()},
        "pipeline": data.pipeline,
        "libraries": library_versions(),
    }
    card["model_id"] = "kcc-" + hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()[:12]
    return card


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("kcc-text", "scikit-learn", "skops", "numpy", "scipy", "spacy", "simplemma"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


# --- the model ----------------------------------------------------------------------------------

class KccModel:
    """A trained model: scikit-learn parts, calibration, thresholds, review map and its card."""

    def __init__(self, *, card: dict, features, classifiers: dict, platt: dict, thresholds: dict,
                 rules_or: dict, review_curve: dict, review_z: float, path: str | None = None):
        self.card = card
        self.features = features
        self.classifiers = classifiers
        self.platt = platt
        self.thresholds = thresholds
        self.rules_or = rules_or
        self.review_curve = review_curve
        self.review_z = review_z
        self.path = path
        self.out_of_fold = None

    @property
    def model_id(self) -> str:
        return self.card["model_id"]

    @property
    def themes(self) -> list[str]:
        return list(self.card["codebook"]["themes"])

    @property
    def too_few_examples(self) -> list[str]:
        return list(self.card["too_few_examples"])

    def check_codebook(self, codebook: Codebook) -> None:
        """Stop when the codebook is not the exact one the model was trained with."""
        cb = self.card["codebook"]
        if (cb["name"], cb["version"], cb["hash"]) != (codebook.name, codebook.version, codebook.hash):
            same_ref = f"{cb['name']}@{cb['version']}" == codebook.ref
            raise ModelError(
                f"model was trained on codebook {cb['name']}@{cb['version']} (hash {cb['hash']}), but the "
                f"codebook given is {codebook.ref} (hash {codebook.hash})"
                + ("; its content changed without a new version" if same_ref else "")
                + "; retrain with `kcc-text train` or use the matching codebook", self.path)

    def probabilities(self, rows, applies):
        """Calibrated probability per theme (0 where the theme does not apply or was not learnt)."""
        import numpy as np

        themes = self.themes
        X = self.features.transform(rows)
        P = np.zeros((X.shape[0], len(themes)))
        for j, theme in enumerate(themes):
            clf = self.classifiers.get(theme)
            if clf is None:
                continue
            a, b = self.platt[theme]
            P[:, j] = np.where(applies[:, j], _sigmoid(a * clf.decision_function(X) + b), 0.0)
        return P

    def decide(self, P, rule_hits, applies):
        themes = self.themes
        learnable = {j for j, t in enumerate(themes) if t in self.classifiers}
        thresholds = {themes.index(t): v for t, v in self.thresholds.items() if t in self.classifiers}
        use_rules = [self.rules_or.get(t, False) for t in themes]
        return decide(P, thresholds, rule_hits, applies, use_rules, learnable)

    def confidence(self, P, decided, applies):
        import numpy as np

        learn_mask = np.array([t in self.classifiers for t in self.themes])
        return decision_confidence(P, decided, applies, learn_mask)

    def auto_coded(self, confidence, empty, target: float):
        """Which answers are coded automatically at this target precision (empty answers always)."""
        return (confidence >= review_cutoff(self.review_curve, target, self.review_z)) | empty

    def code_docs(self, docs, evidence, questions, codebook: Codebook,
                  target_precision: float | None) -> list[AnswerCode]:
        """Code parsed answers (rule evidence already found) with the hybrid rule."""
        import numpy as np

        target = DEFAULT_TARGET_PRECISION if target_precision is None else target_precision
        themes = self.themes
        n = len(docs)
        if n == 0:
            return []
        rows = feature_rows(docs, evidence, questions)
        rows_by_question = {q: [theme.applies_to(q) for theme in codebook.themes] for q in set(questions)}
        applies = np.array([rows_by_question[q] for q in questions], dtype=bool).reshape(n, len(themes))
        hits = np.array([[t in e for t in themes] for e in evidence], dtype=bool).reshape(n, len(themes))
        empty = np.array([not d.text.strip() for d in docs], dtype=bool)
        P = self.probabilities(rows, applies)
        P[empty] = 0.0
        model_dec, rules_dec, hybrid = self.decide(P, hits, applies)
        hybrid[empty] = False
        auto = self.auto_coded(self.confidence(P, hybrid, applies), empty, target)
        codes = []
        for i in range(n):
            assigned = tuple(t for j, t in enumerate(themes) if hybrid[i, j])
            sources = {}
            for j, t in enumerate(themes):
                if not hybrid[i, j]:
                    continue
                by_rules, by_model = bool(rules_dec[i, j]), bool(model_dec[i, j])
                sources[t] = "both" if by_rules and by_model else ("rules" if by_rules else "model")
            # Evidence of themes the model overruled would contradict th_<id>; keep what was assigned.
            shown = {t: words for t, words in evidence[i].items() if t in sources}
            codes.append(AnswerCode(themes=assigned, evidence=shown, sources=sources,
                                    scores={t: float(P[i, j]) for j, t in enumerate(themes)},
                                    needs_review=not bool(auto[i])))
        return codes

    # Persistence: plain containers of trusted scikit-learn/numpy types (see model_io).
    def to_state(self) -> dict:
        return {"features": self.features, "classifiers": dict(self.classifiers),
                "platt": {t: [a, b] for t, (a, b) in self.platt.items()},
                "thresholds": dict(self.thresholds), "rules_or": dict(self.rules_or),
                "review_curve": {k: v for k, v in self.review_curve.items()},
                "review_z": float(self.review_z)}

    @classmethod
    def from_state(cls, state: dict, card: dict, path: str | None = None) -> "KccModel":
        try:
            return cls(card=card, features=state["features"], classifiers=dict(state["classifiers"]),
                       platt={t: (float(a), float(b)) for t, (a, b) in state["platt"].items()},
                       thresholds={t: float(v) for t, v in state["thresholds"].items()},
                       rules_or={t: bool(v) for t, v in state["rules_or"].items()},
                       review_curve={k: state["review_curve"][k] for k in ("confidence", "n", "correct")},
                       review_z=float(state["review_z"]), path=path)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ModelError("not a kcc-text model file (its content is incomplete)", path) from None
