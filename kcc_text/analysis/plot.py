"""A chart of a theme-shift report: per question, the share of each theme in both groups.

Shares are drawn with their Wilson score intervals (statsmodels `proportion_confint`,
method "wilson"), at the report's confidence level. Written with matplotlib's
Agg/SVG canvases (no display needed), atomically, as PNG or SVG by file suffix.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..io.writing import atomic_writer

FORMATS = {".png": "png", ".svg": "svg"}
LABEL_CHARS = 34  # longer theme labels are cut so the panels keep their width
COLOURS = ("#4c72b0", "#dd8452")  # group a, group b: distinct also in greyscale and for red-green blindness


def plot_format(path: str | Path) -> str:
    """'png' or 'svg' from the file suffix; anything else is a usage error naming the file."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"cannot tell the chart format from '{suffix or 'no suffix'}': use .png or .svg",
                         path)
    return FORMATS[suffix]


def _wilson(count: int, total: int, confidence: float) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, total, alpha=1 - confidence, method="wilson")
    return 100 * float(low), 100 * float(high)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def build_figure(result):
    """A matplotlib Figure with one panel per question, biggest shifts at the top."""
    import matplotlib

    # Theme labels and group names are plain text: a "$" in them must not start mathtext.
    with matplotlib.rc_context({"text.parse_math": False}):
        return _build_figure(result)


def _build_figure(result):
    from matplotlib.figure import Figure

    sections = list(result.sections())
    a, b = result.groups
    heights = [max(len(rows), 1) for _, rows in sections]
    fig = Figure(figsize=(8.5, 1.3 + 0.32 * sum(heights) + 0.9 * len(sections)), layout="constrained")
    axes = fig.subplots(len(sections), 1, squeeze=False, height_ratios=heights)[:, 0]
    level = f"{result.method['confidence'] * 100:g}%"
    for ax, (question, rows) in zip(axes, sections):
        n = result.n[question]
        title = f"{question}" if question is not None else "all answers"
        ax.set_title(f"{title}   ({a}: n = {n[a]}, {b}: n = {n[b]})", loc="left", fontsize=10)
        if rows.empty:
            ax.text(0.5, 0.5, "no themes to compare", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        positions = list(range(len(rows)))
        for offset, group, count_col, colour, marker in ((-0.17, a, "n_a", COLOURS[0], "o"),
                                                         (0.17, b, "n_b", COLOURS[1], "s")):
            shares, lows, highs = [], [], []
            for count in rows[count_col]:
                low, high = _wilson(int(count), n[group], result.method["confidence"])
                shares.append(100 * int(count) / n[group])
                lows.append(shares[-1] - low)
                highs.append(high - shares[-1])
            ax.errorbar(shares, [p + offset for p in positions], xerr=[lows, highs], fmt=marker,
                        color=colour, markersize=5, elinewidth=1.2, capsize=2,
                        label=f"{'a' if group == a else 'b'}: {group}")
        # The shift itself, printed beside each theme: sign, size and adjusted significance.
        for position, row in zip(positions, rows.to_dict("records")):
            mark = "*" if row["p_adjusted"] < 0.05 else ""
            ax.annotate(f"{row['diff_pp']:+.1f}{mark}", xy=(1.0, position), xycoords=("axes fraction", "data"),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=8,
                        color="#2a7d2a" if row["diff_pp"] > 0 else "#b22222" if row["diff_pp"] < 0 else "grey")
        ax.annotate("b - a", xy=(1.0, 1.0), xycoords="axes fraction", xytext=(4, 2), textcoords="offset points",
                    va="bottom", fontsize=8, color="grey")
        ax.set_yticks(positions, [_short(str(label)) for label in rows["label"]], fontsize=9)
        ax.set_ylim(len(rows) - 0.5, -0.5)  # biggest shift on top
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
    fig.legend(handles, labels, loc="outside upper center", ncols=2, fontsize=9, frameon=False,
               title=f"Theme shares by {result.by}", title_fontsize=10)
    fig.supxlabel(f"Points: share of answers with {level} Wilson intervals. Right: b - a in percentage "
                  f"points (* adjusted p < 0.05).", fontsize=8, color="#444444")
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
