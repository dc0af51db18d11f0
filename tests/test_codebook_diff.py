"""Comparing codebook versions and the semantic-version bump a change calls for."""

from __future__ import annotations

from kcc_text.codebook.definition import parse_codebook
from kcc_text.codebook.diff import diff_codebooks

OLD = """\
codebook: kcc
version: {version}
themes:
  - id: salaris
    label: Salaris
    patterns:
      - loon
      - salaris
  - id: werkdruk
    label: Werkdruk
    patterns:
      - stress
"""


def cb(text=OLD, version="1.0.0"):
    return parse_codebook(text.format(version=version))


def test_no_change():
    diff = diff_codebooks(cb(), cb())
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])
    assert diff.required_bump == "none"
    assert diff.version_ok


def test_theme_added_is_minor():
    new = OLD + "  - id: collegas\n    label: Collega's\n"
    diff = diff_codebooks(cb(), cb(new, "1.1.0"))
    assert diff.added == ["collegas"]
    assert diff.required_bump == "minor"
    assert diff.actual_bump == "minor" and diff.version_ok


def test_theme_removed_is_major():
    new = OLD.split("  - id: werkdruk")[0]
    diff = diff_codebooks(cb(), cb(new, "1.1.0"))
    assert diff.removed == ["werkdruk"]
    assert diff.required_bump == "major"
    assert not diff.version_ok
    assert diff_codebooks(cb(), cb(new, "2.0.0")).version_ok


def test_pattern_added_and_removed_is_minor():
    new = OLD.replace("      - salaris\n", "      - beloning\n")
    diff = diff_codebooks(cb(), cb(new, "1.0.1"))
    [change] = diff.changed
    assert change.theme == "salaris"
    assert change.patterns_added == ["beloning"] and change.patterns_removed == ["salaris"]
    assert diff.required_bump == "minor"
    assert not diff.version_ok


def test_pattern_negation_change_shows_the_mode():
    new = OLD.replace("      - stress\n", "      - pattern: stress\n        negation: exclude\n")
    [change] = diff_codebooks(cb(), cb(new, "1.1.0")).changed
    assert change.patterns_added == ["stress (negation: exclude)"]
    assert change.patterns_removed == ["stress"]


def test_label_change_is_patch():
    new = OLD.replace("label: Werkdruk", "label: Hoge werkdruk")
    diff = diff_codebooks(cb(), cb(new, "1.0.1"))
    [change] = diff.changed
    assert change.fields == ["label"]
    assert diff.required_bump == "patch" and diff.version_ok
    assert not diff_codebooks(cb(), cb(new, "1.0.0")).version_ok


def test_theme_negation_or_questions_change_is_major():
    new = OLD.replace("    label: Werkdruk\n", "    label: Werkdruk\n    negation: exclude\n")
    diff = diff_codebooks(cb(), cb(new, "1.1.0"))
    assert diff.changed[0].fields == ["negation"]
    assert diff.required_bump == "major"
    new = OLD.replace("    label: Salaris\n", "    label: Salaris\n    questions: [aanbevelen]\n")
    assert diff_codebooks(cb(), cb(new, "2.0.0")).required_bump == "major"


def test_lower_version_is_never_ok():
    diff = diff_codebooks(cb(version="1.2.0"), cb(version="1.1.9"))
    assert diff.actual_bump == "downgrade"
    assert not diff.version_ok


def test_bigger_bump_than_needed_is_ok():
    new = OLD.replace("label: Werkdruk", "label: Hoge werkdruk")
    diff = diff_codebooks(cb(), cb(new, "2.0.0"))
    assert diff.required_bump == "patch" and diff.actual_bump == "major" and diff.version_ok
