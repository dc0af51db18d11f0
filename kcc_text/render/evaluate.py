"""Views of an evaluation and a training run: Rich tables, never printed here."""

from __future__ import annotations

import math

from rich import box
from rich.table import Table
from rich.text import Text


def _num(value: float, digits: int = 2) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _pct(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value * 100:.1f}%"


def _table(title: str) -> Table:
    return Table(title=Text(title), box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True,
                 title_style="bold", title_justify="left")


def evaluation_caption(ev) -> str:
    if ev.mode == "model":
        how = f"model {ev.model_id} scored on these gold codes"
    else:
        how = (f"nested {ev.folds}-fold cross-validation grouped by {ev.grouped_by}: each fold scored by a "
               f"model trained on the other folds")
    line = f"{ev.n_answers} coded answers; {how}."
    if not ev.has_patterns:
        line += " The codebook has no patterns, so rules alone find nothing."
    if ev.too_few_examples:
        line += (f" Too few examples to learn (model never assigns them): {', '.join(ev.too_few_examples)}.")
    return line


def _short(value: float) -> str:
    """Two decimals without the leading zero (.87), so three methods fit side by side."""
    if value is None or math.isnan(value):
        return "–"
    text = f"{value:.2f}"
    return text[1:] if text.startswith("0.") else ("-" + text[2:] if text.startswith("-0.") else text)


def scores_table(ev) -> Table:
    """Per theme: precision, recall and F1 of rules, model and hybrid side by side, kappa of the hybrid."""
    table = _table("Scores against the gold codes (P precision, R recall, F1; κ Cohen's kappa of the hybrid)")
    table.add_column("theme", overflow="fold", min_width=12)
    table.add_column("n", justify="right", no_wrap=True)
    for name in ("rules", "model", "hybrid"):
        for metric in ("P", "R", "F1"):
            table.add_column(f"{name if metric == 'P' else ''}\n{metric}", justify="right", no_wrap=True,
                             style="bold" if name == "hybrid" and metric == "F1" else None)
    table.add_column("\nκ", justify="right", no_wrap=True)
    runs = (ev.rules, ev.model, ev.hybrid)
    for j, theme in enumerate(ev.hybrid.themes):
        cells = [theme.theme, str(theme.support)]
        for run in runs:
            t = run.themes[j]
            cells += [_short(t.precision), _short(t.recall), _short(t.f1)]
        table.add_row(*cells, _short(theme.kappa))
    table.add_section()
    for label, attr in (("micro average", "micro"), ("macro average", "macro")):
        cells = [label, ""]
        for run in runs:
            avg = getattr(run, attr)
            cells += [_short(avg.precision), _short(avg.recall), _short(avg.f1)]
        table.add_row(*cells, "", style="bold" if attr == "micro" else None)
    cells = ["exact theme set", ""]
    for run in runs:
        cells += ["", "", _short(run.exact_accuracy)]
    table.add_row(*cells, "")
    return table


def tradeoff_table(ev) -> Table:
    """Per target precision: share of answers coded automatically and their measured exact-set accuracy."""
    where = "held-out folds" if ev.mode == "cross-validation" else "these answers"
    table = _table(f"Semi-automatic coding: --target-precision trade-off (measured on {where})")
    table.add_column("target precision", justify="right")
    table.add_column("coded automatically", justify="right")
    table.add_column("share", justify="right")
    table.add_column("exact-set accuracy of those", justify="right")
    table.add_column("to a person", justify="right")
    for row in ev.tradeoff:
        met = not math.isnan(row.accuracy) and row.accuracy >= row.target
        acc = Text(_pct(row.accuracy), style="green" if met else ("yellow" if row.n_auto else "dim"))
        table.add_row(f"{row.target:.2f}", str(row.n_auto), _pct(row.share_auto), acc,
                      str(ev.n_answers - row.n_auto))
    return table


def training_table(model) -> Table:
    """Per theme: gold examples, whether the model learnt it, threshold and out-of-fold scores."""
    card = model.card
    per_theme = card["cross_validation"]["hybrid"]["per_theme"]
    table = _table(f"Model {card['model_id']} for codebook {card['codebook']['name']}@{card['codebook']['version']}")
    table.add_column("theme", overflow="fold", min_width=10)
    table.add_column("examples", justify="right")
    table.add_column("decided by", justify="left")
    table.add_column("threshold", justify="right")
    table.add_column("P", justify="right")
    table.add_column("R", justify="right")
    table.add_column("F1", justify="right", style="bold")
    too_few = set(card["too_few_examples"])
    for theme in card["codebook"]["themes"]:
        scores = per_theme.get(theme, {})
        decided = card.get("decided_by", {}).get(theme, "patterns (too few examples)" if theme in too_few else "model")
        learnt = Text(decided, style="yellow" if decided.startswith("patterns (") else "")
        threshold = model.thresholds.get(theme)
        table.add_row(theme, str(card["label_counts"].get(theme, 0)), learnt,
                      _num(threshold) if threshold is not None else "–",
                      _num(scores.get("precision", math.nan)), _num(scores.get("recall", math.nan)),
                      _num(scores.get("f1", math.nan)))
    cv = card["cross_validation"]["hybrid"]
    table.add_section()
    table.add_row("micro average", "", "", "", "", "", _num(cv["micro_f1"]), style="bold")
    table.add_row("macro average", "", "", "", "", "", _num(cv["macro_f1"]))
    return table


def promise_table(card: dict) -> Table:
    """Per target precision: the share the model may code automatically and the accuracy bound behind it."""
    table = _table("What --target-precision can promise (out-of-fold, 95% Clopper-Pearson lower bound)")
    for name in ("target", "coded automatically", "accuracy", "lower bound"):
        table.add_column(name, justify="right")
    for row in card.get("promise", []):
        if row["n_auto"]:
            table.add_row(f"{row['target']:.2f}", f"{100 * row['share_auto']:.1f}% ({row['n_auto']})",
                          _num(row["accuracy"]), _num(row["accuracy_lower_bound"]))
        else:
            why = "too few answers to show it" if row["too_few"] else "no cut-off reaches it"
            table.add_row(f"{row['target']:.2f}", "none", "–", why)
    return table


def decided_by_line(decided_by: dict) -> str:
    """Which themes the model, the patterns, or both decide (chosen per theme by out-of-fold F1)."""
    groups: dict[str, list[str]] = {}
    for theme, choice in decided_by.items():
        groups.setdefault(choice, []).append(theme)
    parts = [f"{choice}: {', '.join(themes)}" for choice, themes in sorted(groups.items())]
    return "Decided by (per theme, chosen on out-of-fold F1) - " + "; ".join(parts)
