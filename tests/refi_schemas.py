"""Check REFI-QDA files against the project's shared schemas (../shared/refi-qda/).

Every project and codebook the tests write goes through `assert_valid_qdpx` or
`assert_valid_qdc`. The schemas are found in the `shared` folder beside the checkout (CI
clones the repository with ../shared beside it; a checkout inside a worktrees folder looks
one level further up). A checkout without it validates against the package's copies, which
`test_package_carries_the_shared_schemas` holds to the shared files byte for byte (by their
sha256 where the folder is missing).
"""

from __future__ import annotations

import functools
import zipfile
from pathlib import Path

from lxml import etree


PACKAGED = Path(__file__).resolve().parents[1] / "kcc_text" / "data" / "refi_qda"


def shared_schemas() -> Path | None:
    """The shared REFI-QDA schema folder beside the checkout, or None."""
    here = Path(__file__).resolve()
    for folder in here.parents[1:4]:
        candidate = folder / "shared" / "refi-qda"
        if (candidate / "Project.xsd").is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=2)
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str((shared_schemas() or PACKAGED) / name)))


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
