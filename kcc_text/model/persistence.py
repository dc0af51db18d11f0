"""Model files: a skops zip (never pickle) with the model card as a JSON member beside it.

Loading never executes anything from the file before it is checked: the file must be a zip
with a kcc-text card, and every type named anywhere in its skops schema must be on the
explicit allow-list below (the scikit-learn, numpy and scipy types a kcc-text model is made
of). Only then does skops rebuild the objects, trusting exactly those types.

The card records a sha256 of every other member (`content_sha256`), checked on load, so a
file damaged or edited after saving is refused rather than half-trusted; and the card's
`format_version` major number says which kcc-text can read it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

from ..errors import ModelError

CARD_MEMBER = "kcc-model-card.json"
SCHEMA_MEMBER = "schema.json"
CONTENT_HASH = "content_sha256"  # card key: sha256 over every member but the card
MAX_UNPACKED_BYTES = 2_000_000_000  # a zip that claims more is a zip bomb, not a model

# Every type a kcc-text model file may contain (module.qualname as skops records it).
TRUSTED_TYPES = frozenset({
    "builtins.dict", "builtins.list", "builtins.tuple", "builtins.str", "builtins.int", "builtins.float",
    "builtins.bool", "builtins.NoneType", "builtins.slice", "builtins.type",
    "numpy.ndarray", "numpy.dtype", "numpy.float64", "numpy.int64", "numpy.int32", "numpy.bool_",
    "numpy.str_", "numpy.object_", "numpy.core.multiarray._reconstruct",
    "numpy.dtypes.Float64DType", "numpy.dtypes.Int64DType", "numpy.dtypes.Int32DType",
    "numpy.dtypes.BoolDType", "numpy.dtypes.StrDType", "numpy.dtypes.ObjectDType",
    "scipy.sparse._csr.csr_matrix", "scipy.sparse._csr.csr_array",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.CountVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.isotonic.IsotonicRegression",
    "sklearn.utils._bunch.Bunch",
})


def _types_in_schema(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        module, name = node.get("__module__"), node.get("__class__")
        if isinstance(module, str) and isinstance(name, str):
            found.add(f"{module}.{name}")
        for value in node.values():
            _types_in_schema(value, found)
    elif isinstance(node, list):
        for value in node:
            _types_in_schema(value, found)
    return found


def save_model(model, path: str | Path) -> None:
    """Write the model atomically: skops zip of its state plus the card as JSON."""
    import skops.io as sio

    from ..io.writing import atomic_writer

    # skops stores its members uncompressed; its schema shrinks ~10x deflated.
    with zipfile.ZipFile(io.BytesIO(sio.dumps(_packed(model.to_state())))) as dumped:
        members = [(info.filename, dumped.read(info)) for info in dumped.infolist()]
    digest = hashlib.sha256()
    for name, data in sorted(members):
        _hash_member(digest, name, len(data), [data])
    card = {**model.card, CONTENT_HASH: digest.hexdigest()}
    blob = io.BytesIO()
    with zipfile.ZipFile(blob, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
        archive.writestr(CARD_MEMBER, json.dumps(card, indent=2, ensure_ascii=False, sort_keys=True))
    with atomic_writer(path, "wb") as fh:
        fh.write(blob.getvalue())


def read_card(path: str | Path) -> dict:
    """The card of a model file, without loading the model."""
    path = Path(path)
    raw = _read(path)
    with _open_zip(raw, path) as archive:
        return _card(archive, path)


def load_model(path: str | Path):
    """Load a model file after checking that it is a kcc-text model made only of trusted types."""
    from .card import FORMAT_VERSION
    from .estimator import KccModel
    from .skops_reader import read_state

    path = Path(path)
    raw = _read(path)
    with _open_zip(raw, path) as archive:
        card = _card(archive, path)
        if _format_major(card, path) > FORMAT_VERSION:
            raise ModelError(f"written by a newer kcc-text (model format {card.get('format_version')}; this "
                             f"version reads format {FORMAT_VERSION}): update kcc-text to use it", path)
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ModelError(f"refusing to load: the file unpacks to more than {MAX_UNPACKED_BYTES:,} bytes",
                             path)
        try:
            schema = json.loads(archive.read(SCHEMA_MEMBER))
        except (KeyError, ValueError, zipfile.BadZipFile):
            raise ModelError("not a kcc-text model file (no readable skops schema)", path) from None
        foreign = sorted(_types_in_schema(schema, set()) - TRUSTED_TYPES)
        if foreign:
            raise ModelError(f"refusing to load: the file contains type '{foreign[0]}', which a kcc-text model "
                             "never holds" + (f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""),
                             path)
        _check_content(archive, card, path)
        # Every type in the schema is trusted (checked above): rebuilt without importing skops
        # where the file uses only the node kinds kcc-text writes (see skops_reader).
        state = read_state(archive, schema, TRUSTED_TYPES)
    if state is None:
        state = _skops_state(raw, path)
    if not isinstance(state, dict):
        raise ModelError("not a kcc-text model file (unexpected content)", path)
    return KccModel.from_state(_unpacked(state, path), card, path=str(path))


def _skops_state(raw: bytes, path: Path):
    """The file's content rebuilt by skops, which audits every node against the allow-list."""
    import skops.io as sio
    from skops.io.exceptions import UntrustedTypesFoundException

    try:
        return sio.loads(raw, trusted=sorted(TRUSTED_TYPES))
    except UntrustedTypesFoundException as error:
        raise ModelError(f"refusing to load: untrusted type in the file ({error})", path) from None
    except Exception:  # a damaged member, array or schema
        raise ModelError("damaged model file (its content cannot be rebuilt)", path) from None


# A fitted vectoriser's vocabulary (some 10,000 terms) stored inside the object is one schema
# node per term: 16 MB of JSON that skops walks on every load. Stored instead as two arrays
# (the terms' characters as code points, and where each term ends) it loads in milliseconds.
VOCABULARIES = "vocabularies"  # state key (model format 2)


def _packed(state: dict) -> dict:
    """The state with each fitted vocabulary of the feature transformer moved out into arrays."""
    import copy

    import numpy as np

    features = state["features"]
    fitted = getattr(features, "transformers_", None)
    if not fitted:
        return state
    vocabularies, transformers = {}, []
    for name, transformer, columns in fitted:
        vocabulary = getattr(transformer, "vocabulary_", None)
        if isinstance(vocabulary, dict) and not getattr(transformer, "fixed_vocabulary_", True):
            terms = list(vocabulary)
            text = "".join(terms)
            vocabularies[name] = {
                "code_points": np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int32),
                "ends": np.cumsum([len(t) for t in terms], dtype=np.int64),
                "columns": np.array([vocabulary[t] for t in terms], dtype=np.int64),
            }
            transformer = copy.copy(transformer)  # the live model keeps its vocabulary
            del transformer.vocabulary_
        transformers.append((name, transformer, columns))
    if not vocabularies:
        return state
    features = copy.copy(features)
    features.transformers_ = transformers
    return {**state, "features": features, VOCABULARIES: vocabularies}


def _unpacked(state: dict, path: Path) -> dict:
    """`_packed` undone: each vocabulary back in its vectoriser (format 1 files have them there)."""
    packed = state.pop(VOCABULARIES, None)
    if packed is None:
        return state
    try:
        fitted = {name: transformer for name, transformer, _ in state["features"].transformers_}
        for name, arrays in packed.items():
            text = arrays["code_points"].astype("<u4").tobytes().decode("utf-32-le")
            ends = arrays["ends"].tolist()
            terms = [text[a:b] for a, b in zip([0] + ends[:-1], ends)]
            columns = arrays["columns"].tolist()
            if len(terms) != len(columns):
                raise ValueError("vocabulary arrays of different lengths")
            fitted[name].vocabulary_ = dict(zip(terms, columns))
    except (KeyError, AttributeError, TypeError, ValueError, UnicodeDecodeError):
        raise ModelError("damaged model file (a vocabulary cannot be rebuilt)", path) from None
    return state


def _hash_member(digest, name: str, size: int, blocks) -> None:
    """Name and length first, so moving bytes between members changes the hash."""
    digest.update(name.encode("utf-8") + b"\0" + str(size).encode() + b"\0")
    for block in blocks:
        digest.update(block)


def _check_content(archive: zipfile.ZipFile, card: dict, path: Path) -> None:
    """Refuse a file whose members are not the ones saved with its card (files saved before
    kcc-text recorded the hash have none and are read as before)."""
    infos = [info for info in archive.infolist() if info.filename != CARD_MEMBER]
    expected = card.get(CONTENT_HASH)
    if expected is None:
        return
    digest = hashlib.sha256()
    try:
        for info in sorted(infos, key=lambda i: i.filename):
            with archive.open(info) as member:
                _hash_member(digest, info.filename, info.file_size, iter(lambda: member.read(1 << 20), b""))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ModelError("damaged model file (a member cannot be unpacked)", path) from None
    if digest.hexdigest() != expected:
        raise ModelError("damaged or altered model file: its content does not match the sha256 in its card "
                         "(train the model again, or restore the file from a backup)", path)


def _format_major(card: dict, path: Path) -> int:
    """The major number of the card's format_version (1, "1", "1.2" all read as 1)."""
    value = card.get("format_version", 0)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value >= 0:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)*", value.strip()):
        return int(value.strip().split(".")[0])
    raise ModelError(f"damaged model file (its card's format_version {str(value)[:40]!r} is not a version)", path)


def _read(path: Path) -> bytes:
    if not path.exists():
        raise ModelError("file not found", path)
    if path.is_dir():
        raise ModelError("is a directory, not a model file", path)
    return path.read_bytes()


def _open_zip(raw: bytes, path: Path) -> zipfile.ZipFile:
    if not raw.startswith(b"PK"):
        raise ModelError("not a kcc-text model file", path)
    try:
        return zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ModelError("not a kcc-text model file (damaged zip)", path) from None


def _card(archive: zipfile.ZipFile, path: Path) -> dict:
    from .card import FORMAT

    try:
        if archive.getinfo(CARD_MEMBER).file_size > 10_000_000:  # a card is a few kilobytes
            raise ValueError("card too large")
        card = json.loads(archive.read(CARD_MEMBER).decode("utf-8"))
    except KeyError:
        raise ModelError("not a kcc-text model file (no model card inside)", path) from None
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError):
        raise ModelError("damaged model file (its model card cannot be read)", path) from None
    if not isinstance(card, dict) or card.get("format") != FORMAT:
        raise ModelError("not a kcc-text model file (the card is not a kcc-text model card)", path)
    for key in ("codebook", "model_id", "label_counts"):
        if key not in card:
            raise ModelError(f"damaged model file (the card has no '{key}')", path)
    return card
