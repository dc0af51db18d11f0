"""Embedding cache for bench_quality.py: vectors in memory for the run, optionally on disk under /tmp.

Bench code. The disk cache (an .npz per prefix, keyed by text hash) only saves time while
iterating; it must never be placed inside the repository (it is derived from data that may not
be redistributed).
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class EmbeddingStore:
    def __init__(self, cache_dir: str | Path | None = None, prefix: str = "query"):
        from kcc_text.model.embeddings import SentenceEncoder

        self.prefix = prefix
        self.path = None
        self.vectors: dict[str, object] = {}
        if cache_dir is not None:
            cache_dir = Path(cache_dir).resolve()
            if REPO in cache_dir.parents or cache_dir == REPO:
                raise SystemExit(f"refusing to cache embeddings inside the repository: {cache_dir}")
            cache_dir.mkdir(parents=True, exist_ok=True)
            self.path = cache_dir / f"e5-{prefix}.npz"
            if self.path.exists():
                import numpy as np

                with np.load(self.path) as z:
                    self.vectors = {k: z[k] for k in z.files}
        self.encoder = SentenceEncoder(prefix=prefix, batch_size=32)
        self.describe = None

    def encode(self, texts, progress=None):
        import numpy as np

        from kcc_text.model.embeddings import text_key

        keys = [text_key(t, self.prefix) for t in texts]
        missing = sorted({t for t, k in zip(texts, keys) if k not in self.vectors})
        if missing:
            V = self.encoder.encode(missing, progress=progress)
            for t, v in zip(missing, V):
                self.vectors[text_key(t, self.prefix)] = v
            if self.path is not None:
                tmp = self.path.with_suffix(".tmp.npz")
                np.savez(tmp, **self.vectors)
                tmp.replace(self.path)
        return np.vstack([self.vectors[k] for k in keys]).astype(np.float32) if keys else np.zeros((0, 384), np.float32)
