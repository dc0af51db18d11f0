"""Rich view of a review: a per-theme summary, then the wrong decisions with the matched words marked.

Without a terminal (a pipe, a file, a test) Rich prints no colour, so `plain=True`
marks matched words with [brackets] instead. Tables fold their text column and long
answers are cut to a few lines, so the output stays readable at 80 columns.
"""

from __future__ import annotations

import math
import re

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

MAX_CHARS = 240  # about four lines of the answer column at 80 columns
FP_STYLE = "bold black on yellow"
FN_STYLE = "underline"


def shorten(text: str, limit: int = MAX_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut + " …"


def _spans(text: str, words) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        parts = [re.escape(p) for p in word.split()]
        if not parts:
            continue
        pattern = r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)"
        spans.extend(m.span() for m in re.finditer(pattern, text, flags=re.IGNORECASE))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlighted(text: str, words, style: str, plain: bool = False) -> Text:
    """The answer with every occurrence of the matched words marked (case-insensitive)."""
    shown = shorten(text)
    result = Text()
    position = 0
    for start, end in _spans(shown, words):
        result.append(shown[position:start])
        match = shown[start:end]
        result.append(f"[{match}]" if plain else match, style=style)
        position = end
    result.append(shown[position:])
    return result


def _ratio(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.2f}"


def summary_table(result) -> Table:
    table = Table(title="Machine against people, per theme", box=box.SIMPLE_HEAD, show_edge=False,
                  collapse_padding=True, title_style="bold", title_justify="left")
    table.add_column("theme", overflow="fold", min_width=10, ratio=2)
    table.add_column("TP", justify="right", no_wrap=True)
    table.add_column("FP", justify="right", no_wrap=True)
    table.add_column("FN", justify="right", no_wrap=True)
    table.add_column("prec.", justify="right", no_wrap=True)
    table.add_column("recall", justify="right", no_wrap=True)
    table.add_column("most confused with", overflow="fold", ratio=3)
    for theme in result.themes:
        confused = ", ".join(f"{other} ({count})" for other, count in theme.confusions)
        table.add_row(theme.theme, str(theme.tp), str(theme.fp), str(theme.fn), _ratio(theme.precision),
                      _ratio(theme.recall), confused or "–")
    return table


def errors_table(theme, kind: str, plain: bool = False) -> Table:
    """The false positives (kind "FP") or false negatives ("FN") of one theme."""
    items = theme.false_positives if kind == "FP" else theme.false_negatives
    total = theme.fp if kind == "FP" else theme.fn
    what = ("false positives: machine gave it, people did not" if kind == "FP"
            else "false negatives: people gave it, machine did not")
    table = Table(title=f"{theme.theme} · {what} ({len(items)} of {total})", box=box.SIMPLE_HEAD,
                  show_edge=False, expand=True, collapse_padding=True, title_justify="left", title_style="bold")
    table.add_column("id", no_wrap=True, overflow="ellipsis", max_width=14)
    table.add_column("answer", overflow="fold", ratio=1)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("source", no_wrap=True)
    style = FP_STYLE if kind == "FP" else FN_STYLE
    for item in items:
        answer = highlighted(item.text, item.highlight, style, plain)
        answer.append("\n")
        codes = (f"people: {', '.join(item.human) or 'none'} · machine: {', '.join(item.machine) or 'none'}"
                 + (" · needs review" if item.needs_review else ""))
        answer.append(codes, style="dim")
        table.add_row(item.id, answer, "–" if item.score is None else f"{item.score:.2f}", item.source or "–")
    return table


def review_view(result, plain: bool = False) -> Group:
    """Summary first, then for each theme with errors its false positives and false negatives."""
    filters = "; ".join(f"{name}: {', '.join(values)}" for name, values in result.filters.items() if values)
    header = f"{result.n_answers} answer{'' if result.n_answers == 1 else 's'} coded by machine and people"
    if filters:
        header += f" ({filters})"
    if result.n_labels_not_coded:
        header += f"; {result.n_labels_not_coded} labelled answers are not in the coded output"
    order = ("most confident first: false positives by highest score, false negatives by lowest"
             if result.has_scores else
             "no model scores: false positives with most matched words first, false negatives not sent "
             "to review first")
    parts = [Text(header + ".")]
    if result.n_in_training:
        parts.append(Text(f"Warning: {result.n_in_training} of these {result.n_answers} answers were in the "
                          "model's training data, so its precision and recall on them look better than on new "
                          "answers; review answers the model has not seen (e.g. an audit sample).",
                          style="bold yellow"))
    parts += [Text(""), summary_table(result)]
    if result.limit:
        parts.append(Text(f"Up to {result.limit} per theme and kind; {order}. "
                          + ("Matched words in [brackets]." if plain else "Matched words highlighted."),
                          style="dim"))
        for theme in result.themes:
            for kind in ("FP", "FN"):
                if (theme.false_positives if kind == "FP" else theme.false_negatives):
                    parts.extend([Text(""), errors_table(theme, kind, plain)])
    return Group(*parts)
