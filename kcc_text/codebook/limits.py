"""Bounds on what a codebook file may hold, checked before anything is built from it.

A codebook is edited by hand and sometimes passed around; a hostile or broken one must
end in a clear error within a second, not in minutes of work or gigabytes of memory.
The dangers are YAML aliases ("billion laughs": nine aliases of nine aliases of ...
expand to 9**9 values once anything walks, prints or hashes the data), nesting deep
enough to exhaust Python's stack, and sheer size. YAML's safe loader builds an alias as
one shared object, so the harm comes later, in validation, error messages and hashing;
`check_node_tree` therefore measures the document as it would be expanded, on the
composed node graph, before a single Python object is constructed.
"""

from __future__ import annotations

import reprlib

from ..errors import CodebookError

MAX_FILE_BYTES = 2_000_000  # a real codebook is a few hundred kilobytes at most
MAX_DEPTH = 32  # a token pattern inside a theme inside the list is about 10 levels deep
MAX_VALUES = 200_000  # scalars, lists and mappings once every alias is expanded
MAX_THEMES = 1000  # coding frames have tens to a few hundred codes
MAX_PATTERN_CHARS = 1000  # a pattern is a few words; this is a paragraph
MAX_TOKEN_SPECS = 100  # tokens in one raw spaCy token pattern

_SHORT = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = 6
_SHORT.maxlevel = 3


def shown(value) -> str:
    """A short repr for messages: never walks a huge or shared structure in full."""
    return _SHORT.repr(value)


def shown_text(text: str, limit: int = 60) -> str:
    """The start of a long text, for messages that quote it."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


def check_node_tree(root, path, max_values: int = MAX_VALUES, max_depth: int = MAX_DEPTH) -> None:
    """Refuse a composed YAML document that is self-referencing, too deep, or too big once expanded.

    Works on the node graph (aliases are shared nodes there) without recursion: every node's
    expanded size and depth are computed once, so a billion-laughs file costs as many steps
    as it has distinct nodes.
    """
    import yaml

    sequence, mapping = yaml.SequenceNode, yaml.MappingNode
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list = [(root, None)]
    while stack:
        node, children = stack.pop()
        key = id(node)
        if children is not None:  # second visit: every child is measured
            on_path.discard(key)
            total, deepest = 1, 0
            for child in children:
                total += size[id(child)]
                deepest = max(deepest, depth[id(child)])
            size[key], depth[key] = total, deepest + 1
            if total > max_values:
                raise CodebookError(f"the YAML holds more than {max_values:,} values once its aliases are "
                                    "expanded (an alias bomb?); a codebook is far smaller", path, _line(node))
            if deepest + 1 > max_depth:
                raise CodebookError(f"the YAML is nested more than {max_depth} levels deep", path, _line(node))
            continue
        if key in size:
            continue
        if key in on_path:
            raise CodebookError("the YAML refers to itself (an alias inside its own anchor)", path, _line(node))
        if isinstance(node, sequence):
            children = node.value
        elif isinstance(node, mapping):
            children = [part for pair in node.value for part in pair]
        else:
            size[key], depth[key] = 1, 1
            continue
        on_path.add(key)
        stack.append((node, children))
        stack.extend((child, None) for child in children if id(child) not in size)


def _line(node) -> int | None:
    return node.start_mark.line + 1 if node.start_mark else None


def theme_count(root) -> int:
    """How many items the top-level `themes` list has, read from the node graph."""
    import yaml

    if not isinstance(root, yaml.MappingNode):
        return 0
    for key, value in root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "themes" and isinstance(value, yaml.SequenceNode):
            return len(value.value)
    return 0
