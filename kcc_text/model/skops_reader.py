"""The part of the skops format that kcc-text model files use, read without importing skops.

Importing `skops.io` lists every scikit-learn estimator and numpy/scipy ufunc it trusts by
default: over a second on every `kcc-text code --model` run, longer than coding 10,000 answers.
A kcc-text model file uses eight of skops' node kinds (JSON values, types, lists, tuples,
dicts, slices, numpy arrays and objects rebuilt from their attributes). This reader rebuilds
exactly those the way skops' own nodes do (`skops/io/_general.py`, `_numpy.py`: `cls.__new__`
then `__setstate__`, arrays with `allow_pickle=False`, shared objects once by their `__id__`),
trusting only the types it is given. For anything else it returns None and the caller loads the
file with skops itself; a test checks both give the same objects.
"""

from __future__ import annotations

import importlib
import io
import json
import zipfile

PROTOCOL = 2  # skops' schema protocol this reader knows


class _Unsupported(Exception):
    """A node this reader leaves to skops."""


def read_state(archive, schema: dict, trusted: frozenset[str]):
    """The object the schema describes (members read from `archive`), or None to let skops load it."""
    if not isinstance(schema, dict) or schema.get("protocol") != PROTOCOL:
        return None
    try:
        return _Reader(archive, trusted).build(schema)
    except (_Unsupported, KeyError, TypeError, ValueError, AttributeError, ImportError, OSError, EOFError,
            zipfile.BadZipFile):
        return None


class _Reader:
    def __init__(self, archive, trusted: frozenset[str]):
        self.archive = archive
        self.trusted = trusted
        self.memo: dict = {}

    def type_of(self, node: dict):
        name = f"{node['__module__']}.{node['__class__']}"
        if name not in self.trusted:
            raise _Unsupported(name)
        return getattr(importlib.import_module(node["__module__"]), node["__class__"])

    def build(self, node):
        if not isinstance(node, dict):
            raise _Unsupported("not a node")
        ident = node.get("__id__")
        if ident is not None and ident in self.memo:
            return self.memo[ident]
        loader = node.get("__loader__")
        make = getattr(self, f"_{loader}", None) if isinstance(loader, str) else None
        if make is None:
            raise _Unsupported(loader)
        value = make(node)
        if ident is not None:
            self.memo[ident] = value
        return value

    # One method per skops node kind, named after its loader.

    def _JsonNode(self, node):
        return json.loads(node["content"])

    def _TypeNode(self, node):
        return self.type_of(node)

    def _ListNode(self, node):
        return self.type_of(node)([self.build(item) for item in node["content"]])

    def _TupleNode(self, node):
        if self.type_of(node) is not tuple:
            raise _Unsupported("named tuple")
        return tuple(self.build(item) for item in node["content"])

    def _DictNode(self, node):
        content = self.type_of(node)()
        key_types = self.build(node["key_types"])
        for key_type, (key, value) in zip(key_types, node["content"].items()):
            if key_type not in (str, int, float, bool):
                raise _Unsupported("dict key type")
            content[key_type(key)] = self.build(value)
        return content

    def _SliceNode(self, node):
        self.type_of(node)
        content = node["content"]
        return slice(content["start"], content["stop"], content["step"])

    def _NdArrayNode(self, node):
        import numpy as np

        cls = self.type_of(node)
        if node["type"] == "json":  # an object array, stored as its items (strings, mostly)
            items = [self.build(item) for item in node["content"]]
            shape = self.build(node["shape"])
            if len(shape) != 1:
                return np.array(items, dtype="O")
            array = np.ndarray(shape=len(items), dtype="O")
            for i, item in enumerate(items):
                array[i] = item
            return array
        if node["type"] != "numpy":
            raise _Unsupported(node["type"])
        array = np.load(io.BytesIO(self.archive.read(node["file"])), allow_pickle=False)
        return array if cls is np.ndarray else cls(array)

    def _ObjectNode(self, node):
        cls = self.type_of(node)
        instance = cls.__new__(cls)
        if node.get("content") is None:
            return instance
        attrs = self.build(node["content"])
        if attrs is not None:
            if hasattr(instance, "__setstate__"):
                instance.__setstate__(attrs)
            else:
                instance.__dict__.update(attrs)
        return instance
