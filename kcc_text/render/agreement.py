"""Views of an agreement report: a Rich table for the terminal and a Markdown table for the README."""

from __future__ import annotations

import math

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

VERDICT_STYLE = {"reliable": "bold green", "tentative": "yellow", "unreliable": "bold red", "undefined": "dim"}


def _number(value: float, digits: int = 2) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def _percent(value: float) -> str:
    return "–" if math.isnan(value) else f"{value * 100:.1f}"


def summary_line(result) -> str:
    """One sentence on the whole comparison, for captions and the README."""
    overall = result.overall
    return (f"{result.n_answers} answers coded by both ({result.only_a} by a only, {result.only_b} by b only); "
            f"exact theme sets equal for {_percent(result.exact_set_agreement)}%; pooled alpha "
            f"{_number(overall.krippendorff_alpha, 3)} ({overall.verdict}); mean per-theme kappa "
            f"{_number(result.mean_cohen_kappa, 3)}, alpha {_number(result.mean_krippendorff_alpha, 3)}.")


def agreement_table(result) -> Table:
    """Per theme and pooled: answers compared, how often each side gave the theme, agreement, kappa, alpha."""
    a, b = result.names
    table = Table(title=Text(f"Agreement: a = {a}, b = {b}"), box=box.SIMPLE_HEAD, show_edge=False,
                  collapse_padding=True, title_style="bold", title_justify="left")
    table.add_column("theme", overflow="fold", ratio=1, min_width=10)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("a", justify="right", no_wrap=True)
    table.add_column("b", justify="right", no_wrap=True)
    table.add_column("agree %", justify="right", no_wrap=True)
    table.add_column("kappa", justify="right", no_wrap=True)
    table.add_column("alpha", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for row in result.rows:
        is_all = row.theme == "ALL"
        table.add_row(
            Text(row.theme, style="bold" if is_all else ""), str(row.n), str(row.n_a), str(row.n_b),
            _percent(row.agreement), _number(row.cohen_kappa, 3), _number(row.krippendorff_alpha, 3),
            Text(row.verdict, style=VERDICT_STYLE.get(row.verdict, "")),
            end_section=row is result.rows[-2],
        )
    return table


def agreement_view(result) -> Group:
    """The table with the summary and how to read it below."""
    legend = ("a, b: answers each source gave the theme (ALL: any theme). Verdict on alpha: >= .800 reliable, "
              ">= .667 tentative (Krippendorff 2004); – = undefined (one value only). ALL pools every "
              "(answer, theme) decision.")
    return Group(agreement_table(result), Text(summary_line(result)), Text(legend, style="dim"))


def agreement_markdown(result) -> str:
    """A Markdown table of the report, with the method in one paragraph below it."""
    lines = ["| theme | n | agreement | Cohen's kappa | Krippendorff's alpha | verdict |",
             "|---|---:|---:|---:|---:|---|"]
    for row in result.rows:
        name = f"**{row.theme}**" if row.theme == "ALL" else row.theme
        lines.append(f"| {name} | {row.n} | {_percent(row.agreement)}% | {_number(row.cohen_kappa, 3)} | "
                     f"{_number(row.krippendorff_alpha, 3)} | {row.verdict} |")
    return "\n".join(lines) + "\n\n" + summary_line(result) + "\n\n" + result.method + "\n"
