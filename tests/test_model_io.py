"""Model files: safe skops format with a card inside; foreign, corrupt and pickled files are rejected unexecuted."""

from __future__ import annotations

import json
import pickle
import zipfile

import pandas as pd
import pytest

from conftest import TINY_CODEBOOK_YAML
from training_data import label_sets_of, write_training_files

from kcc_text.model.training import train_model
from kcc_text.codebook.definition import parse_codebook
from kcc_text.coding import Coder, code_frame
from kcc_text.io.answers import read_corpus
from kcc_text.errors import ModelError
from kcc_text.model.persistence import CARD_MEMBER, load_model, read_card, save_model


@pytest.fixture(scope="module")
def codebook():
    return parse_codebook(TINY_CODEBOOK_YAML)


@pytest.fixture(scope="module")
def saved(codebook, tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    corpus, _ = write_training_files(folder)
    model = train_model(read_corpus(corpus), label_sets_of(), codebook)
    path = folder / "model.skops"
    save_model(model, path)
    return model, path


def test_loaded_model_codes_like_the_trained_one(codebook, saved):
    model, path = saved
    loaded = load_model(path)
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["Slechte beloning", "Gezellig team"],
                          "question": ["aanbevelen", "aanbevelen"]})
    before = code_frame(frame, Coder(codebook, model=model))
    after = code_frame(frame, Coder(codebook, model=loaded))
    pd.testing.assert_frame_equal(before, after)
    assert loaded.model_id == model.model_id


def test_card_inside_the_file(codebook, saved):
    _, path = saved
    card = read_card(path)
    assert card["codebook"] == {"name": "kcc-mini", "version": "1.0.0", "hash": codebook.hash,
                                "themes": codebook.theme_ids, "content": codebook.content}
    assert len(card["training_data"]["hash"]) == 16
    assert card["label_counts"]["salaris"] == 10
    assert card["cross_validation"]["hybrid"]["micro_f1"] > 0
    assert {"scikit-learn", "skops", "spacy", "numpy"} <= set(card["libraries"])
    with zipfile.ZipFile(path) as archive:  # readable with any zip tool, no kcc-text needed
        assert json.loads(archive.read(CARD_MEMBER))["model_id"] == card["model_id"]


def test_text_file_is_not_a_model(tmp_path):
    path = tmp_path / "model.skops"
    path.write_text("id,text\n1,hallo\n", encoding="utf-8")
    with pytest.raises(ModelError, match="not a kcc-text model file"):
        load_model(path)


class _Boom:
    def __reduce__(self):
        return (open, (str(_Boom.marker), "w"))


def test_pickle_is_rejected_without_running_it(tmp_path):
    _Boom.marker = tmp_path / "ran"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(ModelError, match="not a kcc-text model file"):
        load_model(path)
    assert not _Boom.marker.exists()


def test_plain_skops_file_without_card_is_foreign(tmp_path):
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression

    path = tmp_path / "other.skops"
    path.write_bytes(sio.dumps(LogisticRegression().fit([[0], [1]], [0, 1])))
    with pytest.raises(ModelError, match="no model card"):
        load_model(path)


def _rewrite(path, out, schema_edit):
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(members["schema.json"])
    schema_edit(schema)
    members["schema.json"] = json.dumps(schema).encode()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_untrusted_type_is_refused_before_loading(saved, tmp_path):
    _, path = saved
    out = tmp_path / "evil.skops"

    def inject(schema):
        schema["content"]["evil"] = {"__class__": "system", "__module__": "os", "__loader__": "FunctionNode",
                                     "content": {"module_path": "os", "function": "system"}}

    _rewrite(path, out, inject)
    with pytest.raises(ModelError, match="refusing to load.*'os.system'"):
        load_model(out)


def test_truncated_file_is_rejected(saved, tmp_path):
    _, path = saved
    out = tmp_path / "cut.skops"
    out.write_bytes(path.read_bytes()[: 2000])
    with pytest.raises(ModelError, match=str(out.name)):
        load_model(out)


def test_missing_file(tmp_path):
    with pytest.raises(ModelError, match="file not found"):
        load_model(tmp_path / "nope.skops")


def test_saving_is_atomic(saved, tmp_path):
    model, _ = saved
    path = tmp_path / "m.skops"
    save_model(model, path)
    assert [p.name for p in tmp_path.iterdir()] == ["m.skops"]


def test_vocabularies_are_stored_as_arrays_and_come_back_exactly(codebook, saved, tmp_path):
    """Format 2 keeps each fitted vocabulary out of the skops schema (one JSON node per term made
    loading take a second); every term comes back with its column, odd characters included."""
    model, path = saved
    with zipfile.ZipFile(path) as archive:
        schema = archive.read("schema.json").decode("utf-8")
    terms = model.features.named_transformers_["lemmas"].vocabulary_
    assert not [t for t in terms if f'"{t}": {{' in schema and t not in codebook.theme_ids]  # not schema keys
    lemmas = model.features.named_transformers_["lemmas"]
    saved_vocabulary = dict(lemmas.vocabulary_)
    odd = {"a\x00": 0, " spatie ": 1, "😀x": 2, "é": 3, "": 4}  # NUL, edge spaces, astral, accent, empty
    lemmas.vocabulary_ = odd
    try:
        save_model(model, tmp_path / "odd.skops")
    finally:
        lemmas.vocabulary_ = saved_vocabulary
    assert lemmas.vocabulary_ == saved_vocabulary  # saving leaves the live model alone
    loaded = load_model(tmp_path / "odd.skops")
    assert loaded.features.named_transformers_["lemmas"].vocabulary_ == odd
    assert read_card(tmp_path / "odd.skops")["format_version"] == 2


def test_a_format_1_file_still_loads_and_codes_the_same(codebook, saved, tmp_path, monkeypatch):
    """Files saved before format 2 hold their vocabularies inside the vectorisers."""
    import kcc_text.model.persistence as persistence

    model, _ = saved
    monkeypatch.setattr(persistence, "_packed", lambda state: state)
    old = dict(model.card)
    model.card = {**old, "format_version": 1}
    try:
        save_model(model, tmp_path / "v1.skops")
    finally:
        model.card = old
    monkeypatch.undo()
    loaded = load_model(tmp_path / "v1.skops")
    frame = pd.DataFrame({"id": ["a", "b"], "text": ["Slechte beloning", "Gezellig team"],
                          "question": ["aanbevelen", "aanbevelen"]})
    pd.testing.assert_frame_equal(code_frame(frame, Coder(codebook, model=model)),
                                  code_frame(frame, Coder(codebook, model=loaded)))


def _same(a, b, path="state"):
    """Equal objects, type by type: containers, arrays, and estimators by their attributes."""
    import numpy as np

    assert type(a) is type(b), path
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            _same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, path
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), path
    elif hasattr(a, "__dict__") and not isinstance(a, type):
        _same(vars(a), vars(b), path)
    else:
        assert a == b or (a != a and b != b), path


def test_kcc_texts_reader_rebuilds_what_skops_rebuilds(saved):
    """Model files are read without importing skops (its import lists every estimator it trusts):
    the reader must give the very objects skops gives."""
    import io

    import skops.io as sio

    from kcc_text.model.persistence import SCHEMA_MEMBER, TRUSTED_TYPES
    from kcc_text.model.skops_reader import read_state

    _, path = saved
    raw = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        ours = read_state(archive, json.loads(archive.read(SCHEMA_MEMBER)), TRUSTED_TYPES)
    assert ours is not None
    _same(ours, sio.loads(raw, trusted=sorted(TRUSTED_TYPES)))


def test_loading_a_model_does_not_import_skops(saved):
    import subprocess
    import sys

    _, path = saved
    script = ("import sys; from kcc_text.model.persistence import load_model; "
              f"load_model({str(path)!r}); print('skops' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_a_node_kind_the_reader_does_not_know_is_left_to_skops(saved, codebook, monkeypatch):
    """A schema with another kind of skops node (or an untrusted type) is not read here; the
    model then loads through skops itself, and codes the same."""
    import kcc_text.model.skops_reader as reader
    from kcc_text.model.persistence import SCHEMA_MEMBER

    model, path = saved
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read(SCHEMA_MEMBER))
        assert reader.read_state(archive, schema, frozenset()) is None  # nothing trusted: nothing read
        schema["content"]["review_level"]["__loader__"] = "SomeNewNode"
        assert reader.read_state(archive, schema, frozenset({"builtins.dict"})) is None
    monkeypatch.setattr(reader, "read_state", lambda *args: None)
    loaded = load_model(path)
    frame = pd.DataFrame({"id": ["a"], "text": ["Slechte beloning"], "question": ["aanbevelen"]})
    pd.testing.assert_frame_equal(code_frame(frame, Coder(codebook, model=model)),
                                  code_frame(frame, Coder(codebook, model=loaded)))
