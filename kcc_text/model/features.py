"""What the classifier sees of an answer: lemma text, character text, pattern hits, question.

Every path (training, evaluation, coding) builds these rows from the same parsed answers
(`kcc_text.parsing.AnswerParser`), so a model is scored on exactly the features it codes with.
"""

from __future__ import annotations


def lemma_text(lemmas, negated, punct, numeric) -> str:
    """Lemmas of the words (numbers as <num>); a negated word also as neg_<lemma>."""
    words = []
    for lemma, neg, is_punct, is_num in zip(lemmas, negated, punct, numeric):
        if is_punct:
            continue
        lemma = "<num>" if is_num else lemma
        words.append(lemma)
        if neg:
            words.append("neg_" + lemma)
    return " ".join(words)


def doc_lemma_text(doc) -> str:
    """`lemma_text` of a parsed doc (lemmas and negation marks from the Dutch pipeline)."""
    from ..nlp.pipeline import doc_lemmas

    negated = doc._.kcc_negated or [False] * len(doc)
    punct = [t.is_punct or t.is_space for t in doc]
    numeric = [t.like_num for t in doc]
    return lemma_text(doc_lemmas(doc), negated, punct, numeric)


def feature_rows(docs, evidence, questions):
    """The model's input: one row per answer with lemma text, character text, rule hits, question."""
    import pandas as pd

    return pd.DataFrame({
        "lemmas": [doc_lemma_text(d) for d in docs],
        "chars": [d.text.lower() for d in docs],
        "text": [d.text for d in docs],  # for sentence embeddings (semantic models)
        "rules": [" ".join(e) for e in evidence],
        "question": [q or "" for q in questions],
    })


def build_features(params, themes: list[str], *, n_answers: int = 1_000):
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


SEMANTIC_WEIGHT = 2.0  # the dense block weighs as much as the TF-IDF blocks (bench/README-quality.md)


def shared_encoder():
    """One sentence encoder per process, so its cache serves every fold and chunk of a run."""
    global _ENCODER
    if _ENCODER is None:
        from .embeddings import SentenceEncoder

        _ENCODER = SentenceEncoder()
    return _ENCODER


_ENCODER = None


def design_matrix(features, rows, semantic: bool, *, fit: bool = False):
    """The classifier's input: the fitted (or fitting) TF-IDF blocks, plus weighted embeddings if semantic."""
    X = features.fit_transform(rows) if fit else features.transform(rows)
    return with_embeddings(X, rows["text"].tolist()) if semantic else X


def with_embeddings(X, texts):
    """The TF-IDF blocks `X` with the weighted sentence embeddings of `texts` beside them."""
    from scipy import sparse

    vectors = shared_encoder().encode(texts)
    return sparse.hstack([X, sparse.csr_matrix(vectors * SEMANTIC_WEIGHT)], format="csr")
