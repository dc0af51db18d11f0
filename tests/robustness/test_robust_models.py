"""Model files: altered content, a newer format, or anything but the safe format is refused, exit 2.

A model file is shared between colleagues and machines. Its card records a sha256 of
the model's content and the format version; `kcc-text` checks both before it builds a
single object from the file, and never unpickles anything.
"""

from __future__ import annotations

import io
import json
import pickle
import zipfile

import pytest

from cli_helpers import assert_clean_error, invoke
from conftest import TINY_CODEBOOK_YAML, write_tiny_corpus
from trained import trained  # noqa: F401 - a fixture

from kcc_text.model.persistence import CARD_MEMBER, CONTENT_HASH, load_model, read_card


@pytest.fixture
def model_file(trained):
    return trained[1] / "model.skops"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "cb.yaml").write_text(TINY_CODEBOOK_YAML, encoding="utf-8")
    write_tiny_corpus(tmp_path / "antwoorden.csv")
    return tmp_path


def rewrite(source, target, *, card=None, member=None):
    """Copy a model file, changing its card (a function of the card) or one member's bytes."""
    with zipfile.ZipFile(source) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    if card is not None:
        members[CARD_MEMBER] = json.dumps(card(json.loads(members[CARD_MEMBER]))).encode()
    if member is not None:
        name, change = member
        members[name] = change(members[name])
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def code_with(files, model):
    return invoke("code", files / "antwoorden.csv", "--codebook", files / "cb.yaml", "--model", model,
                  "--out", files / "coded.csv")


def test_the_card_holds_a_hash_of_the_content_and_an_intact_file_loads(model_file, files):
    card = read_card(model_file)
    assert len(card[CONTENT_HASH]) == 64
    assert load_model(model_file).model_id == card["model_id"]
    result = code_with(files, model_file)
    assert result.exit_code == 0, result.output


def test_a_model_whose_content_was_changed_is_refused(model_file, files):
    # One learnt weight changed by hand: the file is a valid zip with a valid card, but not what was saved.
    with zipfile.ZipFile(model_file) as archive:
        arrays = [n for n in archive.namelist() if n.endswith(".npy")]
    target = rewrite(model_file, files / "bewerkt.skops",
                     member=(arrays[0], lambda data: data[:-1] + bytes([data[-1] ^ 1])))
    result = code_with(files, target)
    assert_clean_error(result, str(target), "does not match the sha256 in its card")
    assert not (files / "coded.csv").exists()


def test_a_model_with_a_changed_hash_in_its_card_is_refused(model_file, files):
    target = rewrite(model_file, files / "kaart.skops", card=lambda c: {**c, CONTENT_HASH: "0" * 64})
    assert_clean_error(code_with(files, target), str(target), "does not match the sha256 in its card")


@pytest.mark.parametrize("version", [3, "3.0", "10.1"])
def test_a_model_from_a_newer_major_version_is_refused(model_file, files, version):
    target = rewrite(model_file, files / "nieuw.skops", card=lambda c: {**c, "format_version": version})
    assert_clean_error(code_with(files, target), str(target), "written by a newer kcc-text",
                       f"model format {version}", "update kcc-text")


def test_a_newer_minor_version_of_the_same_format_loads(model_file, files):
    target = rewrite(model_file, files / "minor.skops", card=lambda c: {**c, "format_version": "2.3"})
    assert code_with(files, target).exit_code == 0


def test_a_pickle_is_never_loaded(files, tmp_path):
    """A pickle that would write a file when unpickled: refused, and nothing ran."""
    marker = tmp_path / "uitgevoerd.txt"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    for name, data in (("model.pkl", pickle.dumps(Payload())), ("model.skops", pickle.dumps(Payload()))):
        path = tmp_path / name
        path.write_bytes(data)
        assert_clean_error(code_with(files, path), str(path), "not a kcc-text model file")
    # A pickle inside a zip that claims to be a model, beside a card, is not read either.
    inside = io.BytesIO()
    with zipfile.ZipFile(inside, "w") as archive:
        archive.writestr("model.pkl", pickle.dumps(Payload()))
        archive.writestr(CARD_MEMBER, json.dumps({"format": "kcc-text-model", "format_version": 1, "codebook": {},
                                                  "model_id": "x", "label_counts": {}}))
    path = tmp_path / "verpakt.skops"
    path.write_bytes(inside.getvalue())
    assert_clean_error(code_with(files, path), str(path), "not a kcc-text model file")
    assert not marker.exists()
