"""What changed between two codebook versions, and which semantic-version bump that calls for.

Policy (stated in the README): a change that makes codes made under the old version
mean something else is MAJOR (a theme removed, its questions, negation, include or
exclude rules changed); a change that codes more or differently without redefining a
theme is MINOR (a theme added, patterns added or removed, non-answers added or removed,
which changes the base of every share); wording is PATCH (label, description, examples).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .definition import Codebook, Theme

MAJOR_FIELDS = ("questions", "negation", "include", "exclude")
PATCH_FIELDS = ("label", "description", "examples")
BUMPS = ("none", "patch", "minor", "major")


@dataclass
class ThemeChange:
    theme: str
    fields: list[str] = field(default_factory=list)
    patterns_added: list[str] = field(default_factory=list)
    patterns_removed: list[str] = field(default_factory=list)


@dataclass
class CodebookDiff:
    old: Codebook
    new: Codebook
    added: list[str]
    removed: list[str]
    changed: list[ThemeChange]
    non_answers_added: list[str] = field(default_factory=list)
    non_answers_removed: list[str] = field(default_factory=list)

    @property
    def required_bump(self) -> str:
        if self.removed or any(set(c.fields) & set(MAJOR_FIELDS) for c in self.changed):
            return "major"
        if self.added or self.non_answers_added or self.non_answers_removed or any(
                c.patterns_added or c.patterns_removed for c in self.changed):
            return "minor"
        if self.changed:
            return "patch"
        return "none"

    @property
    def actual_bump(self) -> str:
        old, new = _parts(self.old.version), _parts(self.new.version)
        if new[0] > old[0]:
            return "major"
        if new[0] == old[0] and new[1] > old[1]:
            return "minor"
        if new[:2] == old[:2] and new[2] > old[2]:
            return "patch"
        return "none" if new == old else "downgrade"

    @property
    def version_ok(self) -> bool:
        """Is the new version number at least the bump the change calls for?"""
        if self.actual_bump == "downgrade":
            return False
        return BUMPS.index(self.actual_bump) >= BUMPS.index(self.required_bump)


def _parts(version: str) -> tuple[int, int, int]:
    core = version.split("-")[0].split("+")[0]
    major, minor, patch = (int(x) for x in core.split("."))
    return major, minor, patch


def _field_value(theme: Theme, name: str):
    value = getattr(theme, name)
    return sorted(value) if isinstance(value, frozenset) else value


def diff_codebooks(old: Codebook, new: Codebook) -> CodebookDiff:
    old_ids, new_ids = old.theme_ids, new.theme_ids
    changed = []
    for theme_id in (t for t in new_ids if t in old_ids):
        a, b = old.theme(theme_id), new.theme(theme_id)
        change = ThemeChange(theme_id)
        change.fields = [f for f in MAJOR_FIELDS + PATCH_FIELDS if _field_value(a, f) != _field_value(b, f)]
        before = {(p.describe(), p.negation) for p in a.patterns}
        after = {(p.describe(), p.negation) for p in b.patterns}
        change.patterns_added = sorted(_show(p) for p in after - before)
        change.patterns_removed = sorted(_show(p) for p in before - after)
        if change.fields or change.patterns_added or change.patterns_removed:
            changed.append(change)
    return CodebookDiff(old, new, added=[t for t in new_ids if t not in old_ids],
                        removed=[t for t in old_ids if t not in new_ids], changed=changed,
                        non_answers_added=[p for p in new.non_answers if p not in old.non_answers],
                        non_answers_removed=[p for p in old.non_answers if p not in new.non_answers])


def _show(pattern: tuple[str, str]) -> str:
    text, negation = pattern
    return text if negation == "allow" else f"{text} (negation: {negation})"
