"""A chart of a theme-shift report: per question, the share of each theme in every group compared.

Shares are drawn with the report's own intervals (the `pct_*_low`/`pct_*_high` columns:
Wilson score intervals on the codes, or the audit-corrected intervals with --audit), at the
report's confidence level. Written with matplotlib's Agg/SVG canvases (no display needed),
atomically, as PNG or SVG by file suffix.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..io.writing import atomic_writer

FORMATS = {".png": "png", ".svg": "svg"}
LABEL_CHARS = 34  # longer theme labels are cut so the panels keep their width
# Group a, group b, then further groups: distinct also in greyscale and for red-green blindness.
COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "h")


def plot_format(path: str | Path) -> str:
    """'png' or 'svg' from the file suffix; anything else is a usage error naming the file."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"cannot tell the chart format from '{suffix or 'no suffix'}': use .png or .svg",
                         path)
    return FORMATS[suffix]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def build_figure(result):
    """A matplotlib Figure with one panel per question, biggest shifts at the top."""
    import matplotlib

    # Theme labels and group names are plain text: a "$" in them must not start mathtext.
    with matplotlib.rc_context({"text.parse_math": False}):
        return _build_figure(result)


def _series(result, rows) -> tuple[list, list[tuple[str, str, list, list, list]]]:
    """Theme labels in report order and, per group, (legend, group, shares, lows, highs) in percent."""
    if result.kind == "pairwise":
        labels = list(rows["label"])
        series = []
        for side, group in zip("ab", result.groups):
            series.append((f"{side}: {group}", group, list(rows[f"pct_{side}"]), list(rows[f"pct_{side}_low"]),
                           list(rows[f"pct_{side}_high"])))
        return labels, series
    themes = list(dict.fromkeys(rows["theme"]))
    labels = [rows.loc[rows["theme"] == t, "label"].iloc[0] for t in themes]
    series = []
    for group in result.groups:
        mine = rows[rows["group"] == group].set_index("theme").loc[themes]
        series.append((group, group, list(mine["pct"]), list(mine["pct_low"]), list(mine["pct_high"])))
    return labels, series


def _build_figure(result):
    from matplotlib.figure import Figure

    sections = list(result.sections())
    groups = result.groups
    heights = [max(len(_series(result, rows)[0]), 1) for _, rows in sections]
    fig = Figure(figsize=(8.5, 1.3 + 0.32 * sum(heights) * max(1, len(groups) / 2.5) + 0.9 * len(sections)),
                 layout="constrained")
    axes = fig.subplots(len(sections), 1, squeeze=False, height_ratios=heights)[:, 0]
    level = f"{result.method['confidence'] * 100:g}%"
    spread = 0.34 if len(groups) == 2 else 0.7
    offsets = [spread * (i / (len(groups) - 1) - 0.5) for i in range(len(groups))]
    for ax, (question, rows) in zip(axes, sections):
        n = result.n[question]
        title = f"{question}" if question is not None else "all answers"
        ax.set_title(f"{title}   ({', '.join(f'{g}: n = {n[g]}' for g in groups)})", loc="left", fontsize=10)
        if rows.empty:
            ax.text(0.5, 0.5, "no themes to compare", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        labels, series = _series(result, rows)
        positions = list(range(len(labels)))
        for i, (legend, _group, shares, lows, highs) in enumerate(series):
            # A share of 0% or 100% sits on its interval's end: the bar below or above is 0, never negative.
            below = [max(0.0, share - low) for share, low in zip(shares, lows)]
            above = [max(0.0, high - share) for share, high in zip(shares, highs)]
            ax.errorbar(shares, [p + offsets[i] for p in positions], xerr=[below, above],
                        fmt=MARKERS[i % len(MARKERS)], color=COLOURS[i % len(COLOURS)], markersize=5,
                        elinewidth=1.2, capsize=2, label=legend)
        if result.kind == "pairwise":
            # The shift itself, printed beside each theme: sign, size and adjusted significance.
            for position, row in zip(positions, rows.to_dict("records")):
                mark = "*" if row["p_adjusted"] < 0.05 else ""
                ax.annotate(f"{row['diff_pp']:+.1f}{mark}", xy=(1.0, position), xycoords=("axes fraction", "data"),
                            xytext=(4, 0), textcoords="offset points", va="center", fontsize=8,
                            color="#2a7d2a" if row["diff_pp"] > 0 else "#b22222" if row["diff_pp"] < 0 else "grey")
            ax.annotate("b - a", xy=(1.0, 1.0), xycoords="axes fraction", xytext=(4, 2), textcoords="offset points",
                        va="bottom", fontsize=8, color="grey")
        else:
            tests = rows.drop_duplicates("theme")
            for position, p_adjusted in zip(positions, tests["p_adjusted"]):
                ax.annotate(f"p {p_adjusted:.2g}{'*' if p_adjusted < 0.05 else ''}", xy=(1.0, position),
                            xycoords=("axes fraction", "data"), xytext=(4, 0), textcoords="offset points",
                            va="center", fontsize=8, color="grey")
        ax.set_yticks(positions, [_short(str(label)) for label in labels], fontsize=9)
        ax.set_ylim(len(labels) - 0.5, -0.5)  # biggest shift on top
        # A little room left of 0 so that markers at 0% are drawn whole.
        ax.set_xlim(left=-0.015 * ax.get_xlim()[1])
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_xlabel("share of answers (%)", fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    if not handles:
        for ax in axes:
            handles, labels = ax.get_legend_handles_labels()
            if handles:
                break
    # A suptitle and an outside legend overlap under constrained layout; the note goes below instead.
    fig.legend(handles, labels, loc="outside upper center", ncols=min(len(groups), 4), fontsize=9, frameon=False,
               title=f"Theme shares by {result.by}", title_fontsize=10)
    kind = "audit-corrected (prediction-powered) intervals" if result.audited else "Wilson intervals"
    right = ("Right: b - a in percentage points (* adjusted p < 0.05)." if result.kind == "pairwise"
             else "Right: adjusted p of the test across groups (* < 0.05).")
    fig.supxlabel(f"Points: share of answers with {level} {kind}. {right}", fontsize=8, color="#444444")
    return fig


def plot_shift(result, path: str | Path) -> Path:
    """Write the chart to `path` (.png or .svg), atomically; return the path."""
    path = Path(path)
    fmt = plot_format(path)
    fig = build_figure(result)
    # Fixed metadata keeps the file the same from run to run (no creation date, no tool version).
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with atomic_writer(path, "wb") as fh:
        fig.savefig(fh, format=fmt, dpi=150, metadata=metadata)
    return path
