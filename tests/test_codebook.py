"""Codebooks: loading, hashing, and errors that name the file, line, theme and field."""

from __future__ import annotations

import textwrap

import pytest

from kcc_text.codebook.definition import load_codebook
from kcc_text.errors import CodebookError

HEAD = textwrap.dedent("""\
    codebook: test
    version: 1.0.0
    themes:
      - id: salaris
        label: Salaris
        patterns:
          - loon
    """)


def write(tmp_path, text, name="codebook.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path, text) -> CodebookError:
    path = write(tmp_path, text)
    with pytest.raises(CodebookError) as info:
        load_codebook(path)
    assert str(info.value).startswith(str(path))
    return info.value


def test_loads_tiny_codebook(tiny_codebook):
    cb = load_codebook(tiny_codebook)
    assert cb.ref == "kcc-mini@1.0.0"
    assert cb.language == "nl"
    assert cb.theme_ids == ["salaris", "werkdruk", "leuk_werk", "gebrek_aan_waardering", "klanten_helpen",
                            "collegas"]
    assert cb.theme("salaris").label == "Salaris en beloning"
    assert cb.theme("salaris").questions is None
    assert cb.theme("klanten_helpen").questions == frozenset({"toegevoegde_waarde"})
    assert cb.theme("leuk_werk").negation == "exclude"
    waardering = cb.theme("gebrek_aan_waardering").patterns
    assert [(p.text, p.negation) for p in waardering] == [("waardering", "require"), ("ondergewaardeerd", "allow")]


def test_themes_for_question(tiny_codebook):
    cb = load_codebook(tiny_codebook)
    assert "klanten_helpen" not in [t.id for t in cb.themes_for("aanbevelen")]
    assert "klanten_helpen" in [t.id for t in cb.themes_for("toegevoegde_waarde")]
    assert len(cb.themes_for(None)) == len(cb.themes)


def test_hash_is_stable_and_ignores_version_only(tmp_path, tiny_codebook):
    text = tiny_codebook.read_text(encoding="utf-8")
    original = load_codebook(tiny_codebook).hash
    assert load_codebook(tiny_codebook).hash == original
    bumped = write(tmp_path, text.replace("version: 1.0.0", "version: 1.0.1"), "bumped.yaml")
    assert load_codebook(bumped).hash == original
    changed = write(tmp_path, text.replace("- stress", "- spanning"), "changed.yaml")
    assert load_codebook(changed).hash != original


def test_codebook_without_patterns_is_valid(tmp_path):
    path = write(tmp_path, "codebook: alleen-model\nversion: 0.1.0\nthemes:\n"
                           "  - id: salaris\n    label: Salaris\n  - id: werkdruk\n    label: Werkdruk\n")
    cb = load_codebook(path)
    assert cb.theme_ids == ["salaris", "werkdruk"]
    assert not cb.has_patterns


def test_language_defaults_to_dutch():
    from kcc_text.codebook.definition import parse_codebook

    assert parse_codebook(HEAD).language == "nl"


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(HEAD.encode("utf-8-sig"))
    assert load_codebook(path).ref == "test@1.0.0"


def test_missing_file(tmp_path):
    with pytest.raises(CodebookError, match="not found") as info:
        load_codebook(tmp_path / "weg.yaml")
    assert "weg.yaml" in str(info.value)


@pytest.mark.parametrize("extra, line, words", [
    # invalid YAML: an unclosed flow list
    ("  - id: werkdruk\n    label: [Werkdruk\n", None, ["invalid YAML"]),
    ("  - id: salaris\n    label: Loon\n", 8, ["duplicate theme id 'salaris'", "line 4"]),
    ("  - id: Werk-druk\n    label: Werkdruk\n", 8, ["Werk-druk", "'id'"]),
    ("  - id: werkdruk\n    patterns: [stress]\n", 8, ["theme 'werkdruk'", "missing field 'label'"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    patern: [stress]\n", 8,
     ["theme 'werkdruk'", "unknown field 'patern'"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    negation: negeren\n", 8, ["'negation'", "negeren"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    patterns:\n      - stress\n      - ab*\n", 12,
     ["theme 'werkdruk'", "invalid pattern 'ab*'"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    patterns:\n      - '?'\n", 11,
     ["theme 'werkdruk'", "invalid pattern '?'"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    patterns:\n      - '*'\n", 11, ["invalid pattern '*'"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    patterns:\n      - tokens: [{LEMMA: stress, KLEUR: rood}]\n",
     11, ["theme 'werkdruk'", "invalid pattern", "KLEUR"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    patterns:\n      - tokens: [{LEMMA: {REGEX: '[('}}]\n",
     11, ["theme 'werkdruk'", "invalid pattern", "unterminated character set"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    patterns:\n      - tokens: stress\n", 11,
     ["invalid pattern", "expected token pattern"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    patterns:\n      - pattern: stress\n        negation: soms\n",
     11, ["theme 'werkdruk'", "negation"]),
    ("  - id: werkdruk\n    label: Werkdruk\n    label: Druk\n", 10, ["duplicate key 'label'", "line 9"]),
])
def test_theme_errors_name_line_theme_and_field(tmp_path, extra, line, words):
    error = load_error(tmp_path, HEAD + extra)
    if line is not None:
        assert error.line == line
        assert str(error).startswith(f"{error.path}:{line}: ")
    else:
        assert error.line is not None
    for word in words:
        assert word in str(error)


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "1.0.0.0", "een"])
def test_bad_semantic_version(tmp_path, version):
    error = load_error(tmp_path, HEAD.replace("1.0.0", version))
    assert "semantic version" in str(error) and version in str(error)
    assert error.line is not None


@pytest.mark.parametrize("text, words", [
    ("", ["empty"]),
    ("- salaris\n- werkdruk\n", ["top level"]),
    ("codebook: test\nthemes:\n  - id: a\n    label: A\n", ["missing top-level field 'version'"]),
    ("codebook: test\nversion: 1.0.0\nthemes: []\n", ["themes"]),
    (HEAD + "langauge: nl\n", ["unknown top-level field 'langauge'"]),
    (HEAD + "? [a, b]\n: x\n", ["invalid YAML", "unhashable key"]),
])
def test_top_level_errors(tmp_path, text, words):
    error = load_error(tmp_path, text)
    for word in words:
        assert word in str(error)


def test_theme_question_must_be_declared(tmp_path):
    text = ("codebook: test\nversion: 1.0.0\nquestions:\n  aanbevelen: Waarom?\nthemes:\n"
            "  - id: salaris\n    label: Salaris\n    questions: [toegevoegde_waarde]\n")
    error = load_error(tmp_path, text)
    assert "toegevoegde_waarde" in str(error) and error.line == 6


def test_not_utf8(tmp_path):
    path = tmp_path / "cp.yaml"
    path.write_bytes(HEAD.replace("Salaris", "Salaris café").encode("cp1252"))
    with pytest.raises(CodebookError, match="UTF-8"):
        load_codebook(path)


def test_directory_instead_of_codebook(tmp_path):
    with pytest.raises(CodebookError, match="directory") as info:
        load_codebook(tmp_path)
    assert str(tmp_path) in str(info.value)
