"""The report of a pseudonymisation run: how many of each kind of personal data were replaced."""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

# What each tag stands for, in the report's words.
KIND_LABELS = {
    "PERSOON": "names of persons",
    "LOCATIE": "places and addresses",
    "INSTELLING": "institutions",
    "TELEFOONNUMMER": "phone numbers",
    "EMAIL": "e-mail addresses",
    "URL": "web addresses",
    "DATUM": "dates",
    "LEEFTIJD": "ages",
    "ID": "id numbers (BSN, customer and patient numbers)",
}


def pseudonymise_table(result) -> Table:
    """One row per kind of tag: what it stands for and how many were replaced."""
    title = f"Pseudonymised {result.n_answers} answers of {result.n_respondents} respondents -> {result.out}"
    caption = (f"{result.n_changed} answers changed; tags are numbered per {result.respondent_column}, "
               f"so [PERSOON-1] in two answers of one respondent is one person.")
    table = Table(title=Text(title), caption=Text(caption), box=box.SIMPLE_HEAD, show_edge=False,
                  title_style="bold", title_justify="left", caption_justify="left")
    table.add_column("tag", no_wrap=True)
    table.add_column("stands for", overflow="fold")
    table.add_column("replaced", justify="right", no_wrap=True)
    for kind, count in result.counts.items():
        table.add_row(f"[{kind}-n]", KIND_LABELS.get(kind, kind.lower()), str(count), style=None if count else "dim")
    table.add_row("", "total", str(sum(result.counts.values())), style="bold")
    return table
