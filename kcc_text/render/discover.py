"""Rich view of discovered phrases: what answers without a theme talk about, with examples."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text


def discover_table(result) -> Table:
    table = Table(title="Frequent phrases in answers without a theme or needing review", box=box.SIMPLE_HEAD,
                  show_edge=False, collapse_padding=True, title_style="bold", title_justify="left",
                  expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("phrase (lemmas)", overflow="fold", ratio=2)
    table.add_column("answers", justify="right", no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True)
    table.add_column("examples", overflow="fold", ratio=5)
    for rank, phrase in enumerate(result.phrases, start=1):
        name = Text(phrase.ngram, style="bold")
        if phrase.form != phrase.ngram:
            name.append(f"\n“{phrase.form}”", style="dim")
        examples = Text()
        for index, (answer_id, text) in enumerate(phrase.examples):
            if index:
                examples.append("\n")
            examples.append(f"{answer_id}: ", style="dim")
            examples.append(text)
        table.add_row(str(rank), name, str(phrase.count), f"{phrase.share * 100:.0f}", examples)
    return table


def _answers(n: int) -> str:
    return f"{n} answer" if n == 1 else f"{n} answers"


def discover_view(result) -> Group:
    header = (f"{_answers(result.n_answers)} searched: {result.n_no_theme} without a theme, "
              f"{result.n_review} with a theme but needing review.")
    if result.codebook_ref:
        header += f" Phrases that {result.codebook_ref} already matches are left out."
    if not result.phrases:
        return Group(Text(header), Text("No phrase occurs often enough; try a lower --min-count.", style="dim"))
    return Group(Text(header), discover_table(result))
