"""Check REFI-QDA files against the project's shared schemas (../shared/refi-qda/).

Every project and codebook the tests write goes through `assert_valid_qdpx` or
`assert_valid_qdc`. The schemas are found in the `shared` folder beside the checkout (CI
clones the repository with ../shared beside it); a checkout inside a worktrees folder looks
one level further up.
"""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path

from lxml import etree


def shared_schemas() -> Path:
    here = Path(__file__).resolve()
    for folder in here.parents[1:4]:
        candidate = folder / "shared" / "refi-qda"
        if (candidate / "Project.xsd").is_file():
            return candidate
    raise AssertionError(f"REFI-QDA schemas not found: expected {here.parents[2] / 'shared' / 'refi-qda'}")


@functools.lru_cache(maxsize=2)
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared_schemas() / name)))


def _assert_valid(root, name: str, what) -> None:
    schema = _schema(name)
    assert schema.validate(root), f"{what} breaks {name}: {schema.error_log[0]}"


def assert_valid_qdpx(path) -> etree._Element:
    """project.qde follows Project.xsd and every internal source it names is in the zip."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        root = etree.fromstring(archive.read("project.qde"))
    _assert_valid(root, "Project.xsd", path)
    for element in root.iter():
        for attribute in ("plainTextPath", "richTextPath", "path"):
            value = element.get(attribute)
            if value and value.startswith("internal://"):
                assert f"sources/{value.removeprefix('internal://')}" in names, f"{value} missing from {path}"
    return root


def assert_valid_qdc(path) -> etree._Element:
    root = etree.parse(str(path)).getroot()
    _assert_valid(root, "Codebook.xsd", path)
    return root


def assert_valid_project_xml(root) -> None:
    _assert_valid(root, "Project.xsd", "hand-made project")
