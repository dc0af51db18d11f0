"""Codebooks: versioned YAML theme definitions, validated on load, hashed, and compared.

Errors name the file, the line, the theme and the field, because a codebook is
edited by hand by researchers who must be able to fix it from the message alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CodebookError
from . import limits
from .limits import shown, shown_text

THEME_ID = re.compile(r"^[a-z][a-z0-9_]*$")
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
NEGATION_MODES = ("allow", "exclude", "require")
TOP_KEYS = {"codebook", "version", "language", "description", "questions", "themes", "non_answers"}
THEME_KEYS = {"id", "label", "description", "include", "exclude", "examples", "questions",
              "negation", "patterns"}
PATTERN_KEYS = {"pattern", "tokens", "negation"}
_LINE = "__line__"
_ITEM_LINES = "__item_lines__"


@dataclass(frozen=True)
class Pattern:
    """One theme pattern: a pattern string or a raw spaCy token pattern, with its negation mode."""

    text: str | None
    tokens: tuple | None
    negation: str
    line: int | None = None

    def describe(self) -> str:
        return self.text if self.text is not None else json.dumps(list(self.tokens), ensure_ascii=False)


@dataclass(frozen=True)
class Theme:
    id: str
    label: str
    description: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    questions: frozenset[str] | None = None
    negation: str = "allow"
    patterns: tuple[Pattern, ...] = ()
    line: int | None = None

    def applies_to(self, question: str | None) -> bool:
        return self.questions is None or question is None or question in self.questions


@dataclass(frozen=True)
class Codebook:
    name: str
    version: str
    language: str
    themes: tuple[Theme, ...]
    description: str = ""
    questions: dict[str, str] = field(default_factory=dict)
    path: str | None = None
    # Phrases that are non-answers in this survey, on top of the Dutch default (`analysis.non_answers`).
    non_answers: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def theme_ids(self) -> list[str]:
        return [t.id for t in self.themes]

    @property
    def has_patterns(self) -> bool:
        return any(t.patterns for t in self.themes)

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def themes_for(self, question: str | None) -> list[Theme]:
        return [t for t in self.themes if t.applies_to(question)]

    @property
    def content(self) -> dict[str, Any]:
        """What decides coding, as plain data (not version, description or line numbers)."""
        content = {"language": self.language, "themes": [_theme_content(t) for t in self.themes]}
        if self.non_answers:  # only when given, so that codebooks without the list keep their hash
            content["non_answers"] = list(self.non_answers)
        return content

    @property
    def hash(self) -> str:
        """sha256 over `content`."""
        blob = json.dumps(self.content, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]

    @classmethod
    def from_content(cls, name: str, version: str, content: dict[str, Any]) -> "Codebook":
        """The codebook a model card recorded (`content`), for comparing it with another version."""
        themes = tuple(Theme(
            id=t["id"], label=t["label"], description=t["description"], include=tuple(t["include"]),
            exclude=tuple(t["exclude"]), examples=tuple(t["examples"]),
            questions=frozenset(t["questions"]) if t["questions"] is not None else None, negation=t["negation"],
            patterns=tuple(Pattern(text, tuple(tokens) if tokens else None, negation)
                           for text, tokens, negation in t["patterns"]))
            for t in content["themes"])
        return cls(name=name, version=version, language=content["language"], themes=themes,
                   non_answers=tuple(content.get("non_answers", ())))


def _theme_content(theme: Theme) -> dict[str, Any]:
    return {
        "id": theme.id, "label": theme.label, "description": theme.description,
        "include": list(theme.include), "exclude": list(theme.exclude), "examples": list(theme.examples),
        "questions": sorted(theme.questions) if theme.questions is not None else None,
        "negation": theme.negation,
        "patterns": [[p.text, list(p.tokens) if p.tokens else None, p.negation] for p in theme.patterns],
    }


def _loader():
    import yaml

    # libyaml's parser is ten times faster and caps nesting itself; the pure-Python one is the fallback.
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class LineLoader(base):
        """Keeps the line of every mapping and sequence item, refuses duplicate keys, and checks
        the document's size and depth (`limits`) before building anything from it."""

        _depth = 0
        _composed = 0

        def compose_node(self, parent, index):  # only the pure-Python composer calls this
            self._depth += 1
            self._composed += 1
            try:
                if self._composed > limits.MAX_VALUES:
                    raise CodebookError(f"the YAML holds more than {limits.MAX_VALUES:,} values; a codebook is "
                                        "far smaller", line=self.peek_event().start_mark.line + 1)
                if self._depth > limits.MAX_DEPTH:
                    mark = self.peek_event().start_mark
                    raise CodebookError(f"the YAML is nested more than {limits.MAX_DEPTH} levels deep",
                                        line=mark.line + 1)
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def construct_document(self, node):
            n_themes = limits.theme_count(node)
            if n_themes > limits.MAX_THEMES:
                raise CodebookError(f"{n_themes} themes; kcc-text handles at most {limits.MAX_THEMES} "
                                    "(split the codebook, e.g. per question)", line=node.start_mark.line + 1)
            limits.check_node_tree(node, None)
            return super().construct_document(node)

        def construct_mapping(self, node, deep=False):
            seen: dict[Any, int] = {}
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, Hashable):
                    break  # SafeLoader's own check below reports an unhashable key as invalid YAML
                if key in seen:
                    raise CodebookError(f"duplicate key '{key}' (first at line {seen[key]})",
                                        line=key_node.start_mark.line + 1)
                seen[key] = key_node.start_mark.line + 1
            mapping = super().construct_mapping(node, deep=True)
            mapping[_LINE] = node.start_mark.line + 1
            mapping[_ITEM_LINES] = {
                self.construct_object(k, deep=True): [item.start_mark.line + 1 for item in v.value]
                for k, v in node.value if isinstance(v, yaml.SequenceNode)
            }
            return mapping

    return LineLoader


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file."""

    path = Path(path)
    if not path.exists():
        raise CodebookError("file not found", path)
    try:
        size = path.stat().st_size
        if size > limits.MAX_FILE_BYTES and path.is_file():
            raise CodebookError(f"is {size:,} bytes; a codebook is at most {limits.MAX_FILE_BYTES:,}", path)
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CodebookError("is not UTF-8 text", path) from None
    except IsADirectoryError:
        raise CodebookError("is a directory, not a file", path) from None
    except OSError as error:
        raise CodebookError(f"cannot be read ({error.strerror})", path) from None
    return parse_codebook(text, path)


def parse_codebook(text: str, path: str | Path = "<codebook>") -> Codebook:
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - LineLoader derives from SafeLoader
    except CodebookError as error:
        raise CodebookError(error.detail, path, error.line) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise CodebookError(f"invalid YAML: {problem}", path, mark.line + 1 if mark else None) from None
    except RecursionError:  # a safety net: the limits above stop nesting long before Python's stack ends
        raise CodebookError("the YAML is nested too deeply", path) from None
    if data is None:
        raise CodebookError("file is empty", path)
    if not isinstance(data, dict):
        raise CodebookError("top level must be a mapping with codebook, version and themes", path, 1)
    return _build(data, path)


def _fields(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in (_LINE, _ITEM_LINES)}


def _build(data: dict, path) -> Codebook:
    top = _fields(data)
    unknown = sorted(set(top) - TOP_KEYS)
    if unknown:
        raise CodebookError(f"unknown top-level field '{unknown[0]}' (allowed: {', '.join(sorted(TOP_KEYS))})",
                            path, data[_LINE])
    for key in ("codebook", "version", "themes"):
        if key not in top:
            raise CodebookError(f"missing top-level field '{key}'", path, data[_LINE])
    name = _string(top["codebook"], "codebook", path, data[_LINE])
    version = top["version"] if isinstance(top["version"], (str, int, float)) else shown(top["version"])
    version = str(version)
    if not SEMVER.match(version):
        raise CodebookError(f"version '{shown_text(version)}' is not a semantic version such as 1.0.0", path,
                            data[_LINE])
    language = _string(top.get("language", "nl"), "language", path, data[_LINE])
    questions = top.get("questions") or {}
    if not isinstance(questions, dict):
        raise CodebookError("questions must map question keys to their wording", path, data[_LINE])
    questions = {str(k): _text(v, f"question '{shown_text(str(k))}'", path, data[_LINE])
                 for k, v in _fields(questions).items()}
    themes_data = top["themes"]
    if not isinstance(themes_data, list) or not themes_data:
        raise CodebookError("themes must be a non-empty list", path, data[_LINE])
    item_lines = data[_ITEM_LINES].get("themes", [])
    themes: list[Theme] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(themes_data):
        line = item_lines[index] if index < len(item_lines) else None
        theme = _theme(item, index, line, path, questions)
        if theme.id in seen:
            raise CodebookError(f"duplicate theme id '{theme.id}' (first at line {seen[theme.id]})",
                                path, theme.line)
        seen[theme.id] = theme.line
        themes.append(theme)
    return Codebook(name=name, version=version, language=language, themes=tuple(themes),
                    description=_text(top.get("description"), "description", path, data[_LINE]),
                    questions=questions, path=str(path),
                    non_answers=_non_answers(top.get("non_answers"), data, path))


def _non_answers(value: Any, data: dict, path) -> tuple[str, ...]:
    """The codebook's own non-answers: a list of whole answers such as "zie vorige vraag"."""
    if value is None:
        return ()
    lines = data[_ITEM_LINES].get("non_answers", [])
    if not isinstance(value, list):
        raise CodebookError("non_answers must be a list of texts (whole answers that say nothing, such as "
                            "'zie vorige vraag')", path, data[_LINE])
    phrases = []
    for index, item in enumerate(value):
        line = lines[index] if index < len(lines) else data[_LINE]
        if not isinstance(item, (str, int, float)) or isinstance(item, bool) or not str(item).strip():
            raise CodebookError(f"non_answers item #{index + 1} must be a non-empty text (got {item!r})",
                                path, line)
        phrases.append(str(item).strip())
    return tuple(phrases)


def _theme(item: Any, index: int, line: int | None, path, questions: dict[str, str]) -> Theme:
    if not isinstance(item, dict):
        raise CodebookError(f"theme #{index + 1} must be a mapping with id and label", path, line)
    line = item.get(_LINE, line)
    raw = _fields(item)
    theme_id = raw.get("id")
    where = f"theme '{theme_id}'" if theme_id else f"theme #{index + 1}"
    unknown = sorted(set(raw) - THEME_KEYS)
    if unknown:
        raise CodebookError(f"{where}: unknown field '{unknown[0]}' (allowed: {', '.join(sorted(THEME_KEYS))})",
                            path, line)
    if not isinstance(theme_id, str) or not THEME_ID.match(theme_id):
        raise CodebookError(f"{where}: field 'id' must match [a-z][a-z0-9_]* (got {shown(theme_id)})", path, line)
    if "label" not in raw:
        raise CodebookError(f"{where}: missing field 'label'", path, line)
    negation = raw.get("negation", "allow")
    if negation not in NEGATION_MODES:
        raise CodebookError(f"{where}: field 'negation' must be one of {', '.join(NEGATION_MODES)} "
                            f"(got {shown(negation)})", path, line)
    theme_questions = raw.get("questions")
    if theme_questions is not None:
        if isinstance(theme_questions, str):
            theme_questions = [theme_questions]
        if not isinstance(theme_questions, list) or not all(isinstance(q, str) for q in theme_questions):
            raise CodebookError(f"{where}: field 'questions' must be a list of question keys", path, line)
        if questions:
            unknown_q = [q for q in theme_questions if q not in questions]
            if unknown_q:
                raise CodebookError(f"{where}: field 'questions' names '{unknown_q[0]}', which is not in the "
                                    f"codebook's questions ({', '.join(questions)})", path, line)
        theme_questions = frozenset(theme_questions)
    pattern_lines = item.get(_ITEM_LINES, {}).get("patterns", [])
    patterns_raw = raw.get("patterns") or []
    if not isinstance(patterns_raw, list):
        raise CodebookError(f"{where}: field 'patterns' must be a list", path, line)
    patterns = tuple(
        _pattern(p, negation, where, path, pattern_lines[i] if i < len(pattern_lines) else line)
        for i, p in enumerate(patterns_raw)
    )
    return Theme(
        id=theme_id, label=_string(raw["label"], f"{where}: field 'label'", path, line),
        description=_text(raw.get("description"), f"{where}: field 'description'", path, line),
        include=_string_list(raw.get("include"), f"{where}: field 'include'", path, line),
        exclude=_string_list(raw.get("exclude"), f"{where}: field 'exclude'", path, line),
        examples=_string_list(raw.get("examples"), f"{where}: field 'examples'", path, line),
        questions=theme_questions, negation=negation, patterns=patterns, line=line,
    )


def _pattern(item: Any, theme_negation: str, where: str, path, line: int | None) -> Pattern:
    from .patterns import parse_pattern_string, validate_token_pattern

    if isinstance(item, str):
        _check_length(item, where, path, line)
        parse_pattern_string(item, where, path, line)
        return Pattern(text=item.strip(), tokens=None, negation=theme_negation, line=line)
    if not isinstance(item, dict):
        raise CodebookError(f"{where}: invalid pattern: expected a string or a mapping, got {shown(item)}", path,
                            line)
    line = item.get(_LINE, line)
    raw = _fields(item)
    unknown = sorted(set(raw) - PATTERN_KEYS)
    if unknown:
        raise CodebookError(f"{where}: invalid pattern: unknown field '{unknown[0]}' "
                            f"(allowed: {', '.join(sorted(PATTERN_KEYS))})", path, line)
    negation = raw.get("negation", theme_negation)
    if negation not in NEGATION_MODES:
        raise CodebookError(f"{where}: pattern negation must be one of {', '.join(NEGATION_MODES)}", path, line)
    if ("pattern" in raw) == ("tokens" in raw):
        raise CodebookError(f"{where}: invalid pattern: give exactly one of 'pattern' or 'tokens'", path, line)
    if "pattern" in raw:
        if not isinstance(raw["pattern"], str):
            raise CodebookError(f"{where}: invalid pattern: 'pattern' must be a string", path, line)
        _check_length(raw["pattern"], where, path, line)
        parse_pattern_string(raw["pattern"], where, path, line)
        return Pattern(text=raw["pattern"].strip(), tokens=None, negation=negation, line=line)
    tokens = _strip_lines(raw["tokens"])
    if isinstance(tokens, list) and len(tokens) > limits.MAX_TOKEN_SPECS:
        raise CodebookError(f"{where}: invalid pattern: {len(tokens)} tokens; at most {limits.MAX_TOKEN_SPECS}",
                            path, line)
    validate_token_pattern(tokens, where, path, line)
    return Pattern(text=None, tokens=tuple(tokens), negation=negation, line=line)


def _check_length(text: str, where: str, path, line) -> None:
    if len(text) > limits.MAX_PATTERN_CHARS:
        raise CodebookError(f"{where}: invalid pattern '{shown_text(text.strip())}': longer than "
                            f"{limits.MAX_PATTERN_CHARS} characters", path, line)


def _text(value: Any, what: str, path, line) -> str:
    """An optional free text (a description): a scalar, never a list or mapping."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        raise CodebookError(f"{what} must be a text", path, line)
    return str(value).strip()


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in _fields(value).items()}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _string(value: Any, what: str, path, line) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or str(value).strip() == "":
        raise CodebookError(f"{what} must be a non-empty text", path, line)
    return str(value).strip()


def _string_list(value: Any, what: str, path, line) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v).strip() for v in value)
    raise CodebookError(f"{what} must be a text or a list of texts", path, line)
