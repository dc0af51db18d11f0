"""REFI-QDA plumbing shared by the project and codebook exchange: ids, schemas, colours, code notes.

Kept apart from `refi_qda` so that module reads as what goes where in a project, not how
XML is checked or how a GUID is made.
"""

from __future__ import annotations

import colorsys
import functools
import re
import unicodedata
import uuid
from importlib import resources
from pathlib import Path

from ..errors import InputFileError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

# GUIDs are derived, not random, so exporting the same data twice gives the same ids: a QDA
# program that matches codes by GUID (merging a codebook into a project) sees the same code,
# and two exports can be compared line by line.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/kcc-text/refi-qda")

# Kelly's colours of maximum contrast (Kelly 1965, without white and black), ordered so
# neighbours differ most; themes beyond these get hues spaced by the golden angle.
_KELLY = ("#F3C300", "#875692", "#F38400", "#A1CAF1", "#BE0032", "#C2B280", "#848482", "#008856",
          "#E68FAC", "#0067A5", "#F99379", "#604E97", "#F6A600", "#B3446C", "#DCD300", "#882D17",
          "#8DB600", "#654522", "#E25822", "#2B3D26")

# Characters XML 1.0 cannot hold at all (lxml refuses them); survey exports do contain them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def stable_guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x1f".join(parts)))


def normal_guid(guid: str | None) -> str:
    """The schema allows `{...}` and either case; compare GUIDs in one form."""
    return (guid or "").strip().strip("{}").lower()


def xml_text(value: object) -> str:
    return _XML_ILLEGAL.sub("", str(value))


def colour(index: int) -> str:
    if index < len(_KELLY):
        return _KELLY[index]
    hue = (index - len(_KELLY)) * 0.381966 % 1.0  # golden angle as a fraction of the circle
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.65, 0.85)
    return "#{:02X}{:02X}{:02X}".format(round(red * 255), round(green * 255), round(blue * 255))


def slugify(name: str, taken: set[str]) -> str:
    """A theme id (`[a-z][a-z0-9_]*`) for a code name, unique among `taken` (which it joins)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "_", plain).strip("_") or "code"
    if not slug[0].isalpha():
        slug = f"code_{slug}"
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}_{number}", number + 1
    taken.add(candidate)
    return candidate


def kcc_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kcc-text")
    except PackageNotFoundError:
        return "unknown"


# --- schemas ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=2)
def schema(name: str):
    """The bundled REFI-QDA schema `Project.xsd` or `Codebook.xsd`, parsed once."""
    from lxml import etree

    source = resources.files("kcc_text") / "data" / "refi_qda" / name
    with resources.as_file(source) as path:
        return etree.XMLSchema(etree.parse(str(path)))


def parser():
    """An XML parser for files from elsewhere: no entities expanded, nothing fetched."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse_xml(data: bytes, what: str, path: str | Path):
    from lxml import etree

    try:
        return etree.fromstring(data, parser())
    except etree.XMLSyntaxError as error:
        raise InputFileError(f"{what} is not well-formed XML (line {error.lineno}: {error.msg})", path) from None


def check_schema(root, schema_name: str, what: str, path: str | Path) -> None:
    """Raise InputFileError naming the first place where `root` breaks the schema."""
    checker = schema(schema_name)
    if checker.validate(root):
        return
    first = checker.error_log[0]
    message = re.sub(r"\{urn:QDA-XML:(project|codebook):1\.0\}", "", first.message)
    raise InputFileError(f"{what} does not follow the REFI-QDA schema {schema_name} "
                         f"(line {first.line}: {message})", path)


def local(element) -> str:
    """The tag without its namespace, so files of other QDA-XML versions read the same way."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element, name: str):
    return [child for child in element if local(child) == name]


def child_text(element, name: str) -> str:
    for child in element:
        if local(child) == name:
            return child.text or ""
    return ""


# --- what a code's description carries besides the description itself ---------------------------
# A REFI-QDA code has a name, a colour and a free-text description (the "code memo" coders
# read). The coding rules go there too, written with the codebook's own field names, so a
# coder in ATLAS.ti or MAXQDA sees them and `codebook import` can read them back.

_LIST_FIELDS = ("include", "exclude", "examples")
_LINE_FIELDS = ("questions", "negation", "id")
_HEADER = re.compile(r"^(include|exclude|examples):\s*$")
_LINE = re.compile(r"^(questions|negation|id):\s*(\S.*)$")
_ITEM = re.compile(r"^- (.*)$")


def code_description(theme) -> str:
    parts = [theme.description.strip()] if theme.description.strip() else []
    rules = []
    for name in _LIST_FIELDS:
        items = getattr(theme, name)
        if items:
            rules.append(f"{name}:")
            rules.extend(f"- {' '.join(str(item).split())}" for item in items)
    if theme.questions is not None:
        rules.append(f"questions: {', '.join(sorted(theme.questions))}")
    if theme.negation != "allow":
        rules.append(f"negation: {theme.negation}")
    rules.append(f"id: {theme.id}")
    parts.append("\n".join(rules))
    return "\n\n".join(parts)


def parse_code_description(text: str) -> dict:
    """Split a code description into `description` and the rule fields written by `code_description`."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = len(lines)
    # The rules block is the longest tail of lines that all follow the rules grammar.
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index].strip()
        if _HEADER.match(line) or _LINE.match(line) or _ITEM.match(line):
            start = index
        elif line:
            break
    # A list that ends the description itself is not part of the rules: they begin at a field name.
    while start < len(lines) and not (_HEADER.match(lines[start].strip()) or _LINE.match(lines[start].strip())):
        start += 1
    fields: dict = {"description": "\n".join(lines[:start]).strip()}
    current = None
    for raw in lines[start:]:
        line = raw.strip()
        if header := _HEADER.match(line):
            current = header.group(1)
            fields.setdefault(current, [])
        elif single := _LINE.match(line):
            key, value = single.groups()
            fields[key] = [q.strip() for q in value.split(",") if q.strip()] if key == "questions" else value.strip()
            current = None
        elif (item := _ITEM.match(line)) and current:
            fields[current].append(item.group(1).strip())
    return fields
