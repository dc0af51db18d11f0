"""Rich view of a theme-shift report: one table per question, biggest shifts first."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

BAR_WIDTH = 4  # characters for the largest shift of a question
BLOCKS = " ▏▎▍▌▋▊▉█"


def stars(p: float) -> str:
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


def _p_text(p: float) -> Text:
    shown = "<0.001" if p < 0.001 else f"{p:.3f}"
    mark = stars(p)
    return Text(f"{shown} {mark:<3}", style="bold" if mark else "dim")


def _bar(size: float, largest: float) -> str:
    """A bar of eighth blocks: how big this shift is next to the largest of its question."""
    if largest <= 0:
        return ""
    eighths = round(BAR_WIDTH * 8 * abs(size) / largest)
    full, rest = divmod(eighths, 8)
    return "█" * full + (BLOCKS[rest] if rest else "")


def _diff_text(diff: float, largest: float, significant: bool) -> Text:
    if diff > 0:
        arrow, colour = "▲", "green"
    elif diff < 0:
        arrow, colour = "▼", "red"
    else:
        arrow, colour = "=", "dim"
    # Colour shows direction, strength shows whether the adjusted test is significant.
    style = f"bold {colour}" if significant else f"{colour} dim" if colour != "dim" else "dim"
    text = Text(f"{arrow} {diff:+5.1f} ", style=style)
    text.append(f"{_bar(diff, largest):<{BAR_WIDTH}}", style=style)
    return text


def _caption(result, family_size: int) -> str:
    method = result.method
    level = f"{method['confidence'] * 100:g}%"
    correction = ("no correction" if method["correction"] == "none"
                  else f"{method['correction_name']} over {family_size} theme{'s' if family_size != 1 else ''}")
    if result.kind == "groups":
        return (f"{method['test_name']}; {level} {method['share_interval_name']} per group; p adjusted: "
                f"{correction}.  * <0.05  ** <0.01  *** <0.001")
    return (f"{method['test_name']}; {level} {method['interval_name']} for b - a; p adjusted: "
            f"{correction}.  * <0.05  ** <0.01  *** <0.001")


def shift_table(result, question, rows) -> Table:
    """One question's shifts: shares of a and b, the difference with its direction, interval and p."""
    a, b = result.groups
    n_a, n_b = result.n[question][a], result.n[question][b]
    heading = f"{question}: " if question is not None else ""
    table = Table(
        title=Text(f"{heading}{a} (a, n={n_a}) → {b} (b, n={n_b})"),  # Text: names are not markup
        caption=_caption(result, len(rows)), box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True,
        title_style="bold", caption_justify="left",
    )
    table.add_column("theme", overflow="fold", ratio=1, min_width=12)
    table.add_column("% a", justify="right", no_wrap=True)
    table.add_column("% b", justify="right", no_wrap=True)
    table.add_column("b - a (pp)", no_wrap=True)
    table.add_column(f"{result.method['confidence'] * 100:g}% CI", justify="right", no_wrap=True)
    table.add_column("p adj.", no_wrap=True)
    largest = max((abs(d) for d in rows["diff_pp"]), default=0.0)
    for row in rows.to_dict("records"):
        significant = row["p_adjusted"] < 0.05
        table.add_row(
            Text(str(row["label"])),
            f"{row['pct_a']:.1f}",
            f"{row['pct_b']:.1f}",
            _diff_text(row["diff_pp"], largest, significant),
            f"[{row['ci_low']:+.1f}, {row['ci_high']:+.1f}]",
            _p_text(row["p_adjusted"]),
        )
    return table


def groups_table(result, question, rows) -> Table:
    """Three or more groups: per theme each group's share and interval, and the theme's omnibus p."""
    sizes = ", ".join(f"{g} n={result.n[question][g]}" for g in result.groups)
    heading = f"{question}: " if question is not None else ""
    family = rows["theme"].nunique() if len(rows) else 0
    table = Table(title=Text(f"{heading}{sizes}"), caption=_caption(result, family), box=box.SIMPLE_HEAD,
                  show_edge=False, collapse_padding=True, title_style="bold", caption_justify="left")
    table.add_column("theme", overflow="fold", ratio=1, min_width=12)
    table.add_column(result.by, overflow="fold", max_width=18)
    table.add_column("%", justify="right", no_wrap=True)
    table.add_column(f"{result.method['confidence'] * 100:g}% CI", justify="right", no_wrap=True)
    table.add_column("p adj.", no_wrap=True)
    previous = None
    for row in rows.to_dict("records"):
        first = row["theme"] != previous
        previous = row["theme"]
        table.add_row(
            Text(str(row["label"])) if first else "",
            Text(str(row["group"])),
            f"{row['pct']:.1f}",
            f"[{row['pct_low']:.1f}, {row['pct_high']:.1f}]",
            _p_text(row["p_adjusted"]) if first else "",
            end_section=False,
        )
    return table


def render_shift(result, *, warnings: bool = True) -> list:
    """Renderables for the terminal: which numbers are corrected, a table per question, the
    non-answers left out, then (unless `warnings` is False) the warnings. Never prints."""
    from ..analysis.shift import corrected_line, non_answer_line

    parts: list = []
    corrected = corrected_line(result)
    if corrected:
        parts.append(Text(corrected, style="bold"))
    for question, rows in result.sections():
        if parts:
            parts.append(Text(""))
        view = shift_table if result.kind == "pairwise" else groups_table
        parts.append(view(result, question, rows))
        note = non_answer_line(result, question)
        if note:
            parts.append(Text(note, style="dim"))
    if warnings:
        for warning in result.warnings:
            parts.append(Text(f"! {warning}", style="yellow"))
    return parts
