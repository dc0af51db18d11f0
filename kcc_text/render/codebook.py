"""Rich views of a codebook and of a codebook diff."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..codebook.definition import Codebook
from ..codebook.diff import CodebookDiff


def codebook_table(codebook: Codebook, *, patterns: bool = False) -> Table:
    table = Table(title=f"{codebook.ref}  (hash {codebook.hash})", show_lines=patterns, expand=False)
    table.add_column("theme", style="bold", no_wrap=True)
    table.add_column("label")
    # fold, not ellipsis: a cut-off question key or pattern is one the reader cannot use.
    table.add_column("questions", overflow="fold")
    table.add_column("neg.", no_wrap=True)
    table.add_column("patterns" if patterns else "#pat.", justify="left" if patterns else "right",
                     overflow="fold")
    for theme in codebook.themes:
        questions = ", ".join(sorted(theme.questions)) if theme.questions else "all"
        shown = "\n".join(p.describe() for p in theme.patterns) if patterns else str(len(theme.patterns))
        table.add_row(theme.id, theme.label, questions, theme.negation, shown)
    return table


def theme_detail(codebook: Codebook, theme_id: str) -> Group:
    theme = codebook.theme(theme_id)
    parts = [Text(f"{theme.id}: {theme.label}", style="bold"), Text(theme.description)]
    for title, items in (("include", theme.include), ("exclude", theme.exclude), ("examples", theme.examples)):
        if items:
            parts.append(Text(title, style="underline"))
            parts.extend(Text(f"  - {item}") for item in items)
    if theme.patterns:
        parts.append(Text("patterns", style="underline"))
        parts.extend(Text(f"  - {p.describe()}" + ("" if p.negation == "allow" else f"  [negation: {p.negation}]"))
                     for p in theme.patterns)
    return Group(*parts)


def diff_view(diff: CodebookDiff) -> Group:
    lines = [Text(f"{diff.old.ref} -> {diff.new.ref}", style="bold")]
    for theme_id in diff.added:
        lines.append(Text(f"+ theme {theme_id} ({diff.new.theme(theme_id).label})", style="green"))
    for theme_id in diff.removed:
        lines.append(Text(f"- theme {theme_id} ({diff.old.theme(theme_id).label})", style="red"))
    for change in diff.changed:
        lines.append(Text(f"~ theme {change.theme}", style="yellow"))
        if change.fields:
            lines.append(Text(f"    changed: {', '.join(change.fields)}"))
        lines.extend(Text(f"    + pattern {p}", style="green") for p in change.patterns_added)
        lines.extend(Text(f"    - pattern {p}", style="red") for p in change.patterns_removed)
    lines.extend(Text(f"+ non-answer {p}", style="green") for p in diff.non_answers_added)
    lines.extend(Text(f"- non-answer {p}", style="red") for p in diff.non_answers_removed)
    if not (diff.added or diff.removed or diff.changed or diff.non_answers_added or diff.non_answers_removed):
        lines.append(Text("no changes to themes or patterns"))
    verdict = f"required bump: {diff.required_bump}; version change: {diff.actual_bump}"
    lines.append(Text(verdict + ("" if diff.version_ok else "  <- version number too low for this change"),
                      style="bold" if diff.version_ok else "bold red"))
    return Group(*lines)
