"""The feature matrix of parsed answers built from word numbers: equal to `features.transform(rows)`.

scikit-learn's vectorisers split and count every answer's strings in Python; the character
n-grams of a 140-character answer are some 500 substrings. Here each distinct word's n-gram
columns are looked up once, and a batch's counts are one sparse product (answers x words) @
(words x n-grams); the lemma uni- and bigrams are counted from word numbers with numpy. The
TF-IDF weighting, normalisation and stacking are scikit-learn's own steps on the same counts,
so the matrix is the same, value for value. Any transformer set up otherwise than
`features.build_features` makes it is transformed by scikit-learn itself.
"""

from __future__ import annotations


def feature_matrix(features, parsed, semantic: bool = False):
    """`features.design_matrix(features, parsed.rows, semantic)`, from the parsed answers' word
    numbers when they have them."""
    from .features import design_matrix, with_embeddings

    source = getattr(parsed, "forms", None)
    if source is not None and not source.words:
        raise ValueError("answers parsed without word numbers (AnswerParser(words=False)) cannot feed a model")
    if source is not None and getattr(parsed, "records", None) is not None:
        cached = source.featurizers.get(id(features))
        if cached is None or cached[0] is not features:
            cached = source.featurizers[id(features)] = (features, FormFeatures.of(features, source))
        if cached[1] is not None:
            X = cached[1].transform(parsed)
            return with_embeddings(X, parsed.normalised_texts) if semantic else X
    return design_matrix(features, parsed.rows, semantic)


def _is_default_text(vec, analyzer: str) -> bool:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return (type(vec) is TfidfVectorizer and vec.analyzer == analyzer and vec.input == "content"
            and vec.preprocessor is None and vec.tokenizer is None and vec.strip_accents is None
            and vec.stop_words is None and not vec.binary and vec.use_idf and hasattr(vec, "vocabulary_"))


class FormFeatures:
    """The fast form of a fitted `features.build_features` transformer, for one FormParser's numbers."""

    def __init__(self, features, source, lemmas, chars):
        import numpy as np

        self.features = features
        self.source = source
        self.lemmas, self.chars = lemmas, chars
        vocabulary = lemmas.vocabulary_
        self._tokenize = lemmas.build_tokenizer()
        self._min_n, self._max_n = lemmas.ngram_range
        words: dict[str, int] = {}
        pairs = []
        for term, column in vocabulary.items():
            parts = term.split(" ")
            for part in parts:
                words.setdefault(part, len(words))
            if len(parts) == 2:
                pairs.append((words[parts[0]], words[parts[1]], column))
        self._model_words = words
        pairs.sort()
        self._n_words = max(len(words), 1)
        keys = np.array([a * self._n_words + b for a, b, _ in pairs], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self._pair_keys = keys[order]
        self._pair_columns = np.array([c for _, _, c in pairs], dtype=np.int64)[order]
        # per lemma-text word number: its model word, unigram column, or "odd" (not one \S+ token)
        self._word = np.zeros(0, dtype=np.int64)
        self._unigram = np.zeros(0, dtype=np.int64)
        self._odd = np.zeros(0, dtype=bool)
        self._char_pre = chars.build_preprocessor()
        self._char_columns: list = []  # per surface word number: its n-gram columns (with repeats)

    @classmethod
    def of(cls, features, source):
        """The fast form, or None when the transformer is not one this module reproduces."""
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.preprocessing import OneHotEncoder

        if type(features) is not ColumnTransformer or not getattr(features, "sparse_output_", False):
            return None
        parts = {name: (transformer, columns) for name, transformer, columns in features.transformers_
                 if not (name == "remainder" and transformer == "drop")}
        if list(parts) != ["lemmas", "chars", "question", "rules"]:
            return None
        lemmas, chars = parts["lemmas"][0], parts["chars"][0]
        if not (_is_default_text(lemmas, "word") and not lemmas.lowercase and lemmas.ngram_range[0] >= 1
                and lemmas.ngram_range[1] <= 2 and parts["lemmas"][1] == "lemmas"):
            return None
        if not (_is_default_text(chars, "char_wb") and parts["chars"][1] == "chars"):
            return None
        if type(parts["question"][0]) is not OneHotEncoder or type(parts["rules"][0]) is not CountVectorizer:
            return None
        return cls(features, source, lemmas, chars)

    # --- per word ---------------------------------------------------------------------------

    def _grow_words(self) -> None:
        import numpy as np

        words = self.source.forms.words.values
        start = len(self._word)
        if start == len(words):
            return
        vocabulary = self.lemmas.vocabulary_
        new = words[start:]
        self._word = np.concatenate([self._word, [self._model_words.get(w, -1) for w in new]]).astype(np.int64)
        self._unigram = np.concatenate([self._unigram, [vocabulary.get(w, -1) for w in new]]).astype(np.int64)
        self._odd = np.concatenate([self._odd, [self._tokenize(w) != [w] for w in new]]).astype(bool)

    def _grow_surface(self) -> None:
        import numpy as np

        words = self.source.surface.values
        vocabulary = self.chars.vocabulary_
        analyse = self.chars._char_wb_ngrams
        for word in words[len(self._char_columns):]:
            grams = analyse(self._char_pre(word))
            self._char_columns.append(np.array([vocabulary[g] for g in grams if g in vocabulary], dtype=np.int64))

    # --- blocks -----------------------------------------------------------------------------

    def _lemma_counts(self, records):
        import numpy as np

        n, width = len(records), len(self.lemmas.vocabulary_)
        lengths = np.fromiter((len(r.lemma_words) for r in records), dtype=np.int64, count=n)
        flat = (np.concatenate([r.lemma_words for r in records]).astype(np.int64) if lengths.sum()
                else np.zeros(0, dtype=np.int64))
        if self._odd[flat].any():
            return None
        doc = np.repeat(np.arange(n), lengths)
        rows, columns = [], []
        if self._min_n == 1:
            unigram = self._unigram[flat]
            known = unigram >= 0
            rows.append(doc[known])
            columns.append(unigram[known])
        if self._max_n == 2 and len(flat) > 1:
            word = self._word[flat]
            same_doc = doc[:-1] == doc[1:]
            both = same_doc & (word[:-1] >= 0) & (word[1:] >= 0)
            keys = word[:-1][both] * self._n_words + word[1:][both]
            at = np.searchsorted(self._pair_keys, keys)
            at[at == len(self._pair_keys)] = 0
            found = len(self._pair_keys) > 0
            hit = (self._pair_keys[at] == keys) if found else np.zeros(len(keys), dtype=bool)
            rows.append(doc[:-1][both][hit])
            columns.append(self._pair_columns[at[hit]] if found else np.zeros(0, dtype=np.int64))
        return _counts(np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64),
                       np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64), n, width)

    def _char_counts(self, records):
        import numpy as np
        import scipy.sparse as sp

        n, width = len(records), len(self.chars.vocabulary_)
        lengths = np.fromiter((len(r.surface_words) for r in records), dtype=np.int64, count=n)
        if not lengths.sum():
            return sp.csr_matrix((n, width), dtype=np.float64)
        flat = np.concatenate([r.surface_words for r in records])
        words, inverse = np.unique(flat, return_inverse=True)
        grams = [self._char_columns[w] for w in words.tolist()]
        gram_lengths = np.fromiter((len(g) for g in grams), dtype=np.int64, count=len(grams))
        word_ptr = np.zeros(len(grams) + 1, dtype=np.int64)
        np.cumsum(gram_lengths, out=word_ptr[1:])
        indices = np.concatenate(grams) if word_ptr[-1] else np.zeros(0, dtype=np.int64)
        by_word = sp.csr_matrix((np.ones(len(indices)), indices, word_ptr), shape=(len(grams), width))
        doc_ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=doc_ptr[1:])
        by_doc = sp.csr_matrix((np.ones(len(flat)), inverse.reshape(-1), doc_ptr), shape=(n, len(grams)))
        # Multiplied transposed, then turned back: the conversion leaves each row's columns sorted,
        # as CountVectorizer has them (cheaper than sorting the product's rows).
        counts = (by_word.T.tocsr() @ by_doc.T.tocsr()).T.tocsr()
        counts.has_sorted_indices = True
        return counts

    def transform(self, parsed):
        """The feature matrix of parsed answers (rows as `features.transform(parsed.rows)`)."""
        import pandas as pd
        import scipy.sparse as sp
        from sklearn.utils import check_array

        self._grow_words()
        self._grow_surface()
        records = parsed.records
        lemma_counts = self._lemma_counts(records)
        if lemma_counts is None:  # a lemma with a space or none at all: let scikit-learn split it
            lemmas = self.lemmas.transform(parsed.rows["lemmas"])
        else:
            lemmas = _tfidf(self.lemmas, lemma_counts)
        chars = _tfidf(self.chars, self._char_counts(records))
        question = self.features.named_transformers_["question"].transform(
            pd.DataFrame({"question": [q or "" for q in parsed.questions]}))
        rules = self._rules(parsed)
        blocks = [check_array(X, accept_sparse=True, ensure_all_finite=False)
                  for X in (lemmas, chars, question, rules)]
        return sp.hstack(blocks).tocsr()


    def _rules(self, parsed):
        """The pattern-hit columns: CountVectorizer(binary, vocabulary=themes) of the hit theme ids."""
        import numpy as np

        vec = self.features.named_transformers_["rules"]
        themes = self.source.matcher.rules.codebook.theme_ids
        vocabulary = getattr(vec, "vocabulary_", {})
        simple = (vec.binary and vec.analyzer == "word" and vec.preprocessor is None and vec.tokenizer is None
                  and not vec.lowercase and vec.stop_words is None and vec.ngram_range == (1, 1)
                  and parsed.rule_hits.shape[1] == len(themes)
                  and all(vec.build_tokenizer()(t) == [t] for t in themes))
        if not simple:
            return vec.transform([" ".join(e) for e in parsed.evidence])
        columns = np.array([vocabulary.get(t, -1) for t in themes], dtype=np.int64)
        rows, at = np.nonzero(parsed.rule_hits[:, columns >= 0])
        columns = columns[columns >= 0][at]
        return _counts(rows, columns, len(parsed.rule_hits), len(vocabulary), dtype=vec.dtype)


def _counts(rows, columns, n: int, width: int, dtype=None):
    """A CSR count matrix with sorted column indices, as CountVectorizer makes it."""
    import numpy as np
    import scipy.sparse as sp

    keys, counts = np.unique(rows * width + columns, return_counts=True)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys // width, minlength=n), out=indptr[1:])
    return sp.csr_matrix((counts.astype(dtype or np.float64), (keys % width).astype(np.int32), indptr),
                         shape=(n, width))


def _tfidf(vec, counts):
    """TfidfVectorizer.transform's weighting of a count matrix (scikit-learn's TfidfTransformer steps)."""
    import numpy as np
    from sklearn.preprocessing import normalize

    X = counts.astype(np.float64)
    if vec.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= vec.idf_[X.indices]
    if vec.norm is not None:
        X = normalize(X, norm=vec.norm, copy=False)
    return X
