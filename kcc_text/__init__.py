"""kcc-text: code Dutch open survey answers into themes and report how themes shift between waves.

The public API (see `kcc_text.api` and the README): `load_codebook`, `read_answers`, `read_labels`,
`train`, `code`, `evaluate`, `shift`, `agreement`, `load_model`, `save_model`, `ThemeClassifier`,
`bundled_data`. Attributes load on first use, so `import kcc_text` (and `kcc-text --help`) stay fast.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "Codebook": "kcc_text.codebook.definition",
    "load_codebook": "kcc_text.codebook.definition",
    "read_answers": "kcc_text.api",
    "read_labels": "kcc_text.api",
    "train": "kcc_text.api",
    "code": "kcc_text.api",
    "evaluate": "kcc_text.api",
    "shift": "kcc_text.api",
    "agreement": "kcc_text.api",
    "load_model": "kcc_text.api",
    "save_model": "kcc_text.api",
    "ThemeClassifier": "kcc_text.model.theme_classifier",
    "bundled_data": "kcc_text.bundled",
    "KccError": "kcc_text.errors",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kcc_text' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
