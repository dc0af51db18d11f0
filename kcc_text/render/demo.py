"""What `kcc-text demo` shows: coding summary, shift tables, machine vs gold, gold reliability."""

from __future__ import annotations

from rich.rule import Rule
from rich.table import Table
from rich.text import Text


def demo_renderables(result) -> list:
    from .agreement import agreement_view, summary_line
    from .shift import render_shift

    coded = result.coded
    n_review = int(coded["needs_review"].sum())
    parts: list = [
        Rule("kcc-text demo: kcc-2020, constructed answers (corpus/README.md)"),
        Text(f"Coded {result.n_answers} answers with {result.codebook.ref} ({result.mode}). "
             f"{result.n_answers - n_review} coded automatically, {n_review} flagged for review."),
        Rule("Theme shift spring -> autumn 2020, machine-coded"),
        *render_shift(result.shift),
        Rule("Does the machine recover the hand-coded shift?"),
        machine_vs_gold_table(result.shift, result.gold_shift),
        Text("Machine vs gold codes: " + summary_line(result.machine_vs_gold)),
        Rule("How reliable is the gold standard? Coder A vs independent coder B"),
        agreement_view(result.agreement),
    ]
    if result.written:
        parts.append(Text("Written: " + ", ".join(str(p) for p in result.written)))
    return parts


def machine_vs_gold_table(machine, gold, top: int = 5) -> Table:
    """Per question, the biggest gold shifts next to the machine's estimate of them."""
    table = Table(title="shift b - a in percentage points: gold codes vs machine codes", title_justify="left")
    table.add_column("question")
    table.add_column("theme")
    table.add_column("gold", justify="right")
    table.add_column("machine", justify="right")
    machine_rows = {(q, r["theme"]): r for q, rows in machine.sections() for r in rows.to_dict("records")}
    for question, rows in gold.sections():
        records = sorted(rows.to_dict("records"), key=lambda r: -abs(r["diff_pp"]))[:top]
        for r in records:
            m = machine_rows.get((question, r["theme"]))
            table.add_row(question or "", r["label"], f"{r['diff_pp']:+.1f}",
                          f"{m['diff_pp']:+.1f}" if m is not None else "–")
    return table

