"""Inline SVG charts for the HTML report: theme shares per wave with their 95% intervals.

Hand-written SVG rather than matplotlib's: a few kilobytes, real text that inherits the
page's font and can be searched and copied, and a viewBox that scales to the page. Each
chart comes in two layouts, switched by CSS alone: `wide` (theme labels left of the bars;
desktop and A4) and `narrow` (labels above the bars, so a phone keeps the full width for the
scale and the type stays readable). Every label is escaped; nothing refers outside the file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

BAR = 10
BAR_GAP = 3
BLOCK_GAP = 10
TOP = 44  # legend and top axis
BOTTOM = 22
VALUE_ROOM = 46  # right of the plot: room for "100.0%"

# Sequential blues, light (earliest wave) to dark (latest): ordered, printable in grey,
# and readable with any kind of colour blindness.
LIGHT = (0xA9, 0xC4, 0xE0)
DARK = (0x1F, 0x4E, 0x79)
WHISKER = "#1b1b1b"
GRID = "#d9dde3"
AXIS_TEXT = "#5a5f66"


@dataclass(frozen=True)
class Layout:
    width: int  # viewBox units
    label_size: float
    value_size: float
    label_width: float  # wide: the column left of the bars; narrow: 0 (labels above)
    label_chars: int  # per line before wrapping (wide) or cutting (narrow)
    label_above: bool


# Wide: about 1:1 in a 42rem column and 180 mm on A4 (13 units = 10 pt). Narrow: about 1:1 at 360 px.
WIDE = Layout(width=640, label_size=13, value_size=11.5, label_width=196, label_chars=24, label_above=False)
NARROW = Layout(width=350, label_size=13.5, value_size=11.5, label_width=0, label_chars=44, label_above=True)
LAYOUTS = {"wide": WIDE, "narrow": NARROW}


def wave_colours(count: int) -> list[str]:
    """One colour per wave, from light to dark."""
    if count <= 1:
        return ["#3a6ea5"]
    colours = []
    for k in range(count):
        t = k / (count - 1)
        rgb = (round(a + (b - a) * t) for a, b in zip(LIGHT, DARK))
        colours.append("#" + "".join(f"{c:02x}" for c in rgb))
    return colours


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def _scale_max(highest: float) -> tuple[float, float]:
    """A round upper end for the axis and its tick step."""
    step = 5.0 if highest <= 20 else 10.0 if highest <= 60 else 20.0
    return min(max(step, math.ceil(highest / step) * step), 100.0), step


def _lines(label: str, chars: int, max_lines: int) -> list[str]:
    """The label in lines of at most `chars` characters, broken between words; the last line cut with …."""
    words, lines, current = label.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > chars:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    lines = lines or [label]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: chars - 1].rstrip() + "…"
    return [line if len(line) <= chars else line[: chars - 1] + "…" for line in lines]


def shares_chart(section, colours: dict[str, str], *, chart_id: str, layout: str = "wide") -> str:
    """A horizontal bar chart: per theme one bar per wave, its 95% Wilson interval and its value."""
    lay = LAYOUTS[layout]
    shares = section.shares
    waves = [w for w, _ in section.waves]
    colour = {w: colours.get(w, "#3a6ea5") for w in waves}  # the same colour for a wave in every chart
    bars_h = len(waves) * (BAR + BAR_GAP) - BAR_GAP
    label_h = lay.label_size + 4 if lay.label_above else 0
    # Wide layout: a wrapped label may need two lines, more than the bars of two waves are high.
    block_h = max(bars_h, 2 * lay.label_size + 2) if not lay.label_above else bars_h
    per_block = label_h + block_h + BLOCK_GAP
    height = TOP + per_block * len(shares) - BLOCK_GAP + BOTTOM
    top_value, step = _scale_max(max((s.high for t in shares for s in t.waves), default=10.0))
    x0, x1 = 1.0 + lay.label_width, lay.width - VALUE_ROOM

    def x(pct: float) -> float:
        return x0 + (x1 - x0) * pct / top_value

    title = "Share of answers per theme by wave, with 95% intervals" + (f": {section.key}" if section.key else "")
    out = [f'<svg viewBox="0 0 {lay.width} {height:.0f}" width="{lay.width}" height="{height:.0f}" role="img" '
           f'aria-labelledby="{chart_id}-t" class="shares-chart {layout}">',
           f'<title id="{chart_id}-t">{escape(title)}</title>']

    # Legend: one swatch per wave with its number of answers.
    lx = 1.0
    for wave, n in section.waves:
        text = f"{wave} (n = {n})"
        out.append(f'<rect x="{lx:.1f}" y="4" width="12" height="12" fill="{colour[wave]}"/>')
        out.append(f'<text x="{lx + 17:.1f}" y="14.5" font-size="{lay.value_size}" class="legend">'
                   f"{escape(text)}</text>")
        lx += 17 + 6.3 * len(text) + 16

    # Grid and axis labels, top and bottom, so a long chart can be read without scrolling back.
    grid_top, grid_bottom = TOP - 6, height - BOTTOM + 2
    for k in range(int(round(top_value / step)) + 1):
        tick = k * step
        gx = x(tick)
        out.append(f'<line x1="{gx:.1f}" y1="{grid_top}" x2="{gx:.1f}" y2="{grid_bottom:.1f}" stroke="{GRID}" '
                   f'stroke-width="{1.2 if tick == 0 else 0.8}"/>')
        anchor = "start" if tick == 0 and lay.label_above else "middle"
        for ty in (TOP - 11, height - 6):
            out.append(f'<text x="{gx:.1f}" y="{ty:.1f}" font-size="{lay.value_size - 1}" fill="{AXIS_TEXT}" '
                       f'text-anchor="{anchor}" class="axis">{_num(tick)}%</text>')

    y = float(TOP)
    for theme in shares:
        out.append(f'<g class="theme"><title>{escape(theme.label)}: '
                   + escape("; ".join(f"{s.wave} {s.pct:.1f}% (95% interval {s.low:.1f}–{s.high:.1f}; "
                                      f"{s.count} of {s.n})" for s in theme.waves)) + "</title>")
        if lay.label_above:
            (line,) = _lines(theme.label, lay.label_chars, 1)
            out.append(f'<text x="{x0:.1f}" y="{y + lay.label_size - 2:.1f}" font-size="{lay.label_size}" '
                       f'class="label">{escape(line)}</text>')
            by = y + label_h
        else:
            lines = _lines(theme.label, lay.label_chars, 2)
            centre = y + block_h / 2
            first = centre - (len(lines) - 1) * (lay.label_size + 1) / 2 + lay.label_size * 0.35
            spans = "".join(f'<tspan x="{x0 - 8:.1f}" y="{first + i * (lay.label_size + 1):.1f}">{escape(t)}</tspan>'
                            for i, t in enumerate(lines))
            out.append(f'<text font-size="{lay.label_size}" text-anchor="end" class="label">{spans}</text>')
            by = y + (block_h - bars_h) / 2
        for share in theme.waves:
            mid = by + BAR / 2
            out.append(f'<rect x="{x0:.1f}" y="{by:.1f}" width="{max(0.0, x(share.pct) - x0):.1f}" height="{BAR}" '
                       f'fill="{colour[share.wave]}"/>')
            lo, hi = x(share.low), x(share.high)
            whisker = (f"M{lo:.1f} {mid:.1f}H{hi:.1f}M{lo:.1f} {mid - 3:.1f}V{mid + 3:.1f}"
                       f"M{hi:.1f} {mid - 3:.1f}V{mid + 3:.1f}")
            # A white halo under the line keeps the interval visible where it crosses a dark bar.
            out.append(f'<path d="{whisker}" stroke="#fff" stroke-width="3" stroke-opacity=".85" fill="none"/>')
            out.append(f'<path d="{whisker}" stroke="{WHISKER}" stroke-width="1.1" fill="none"/>')
            out.append(f'<text x="{hi + 4:.1f}" y="{mid + 4:.1f}" font-size="{lay.value_size}" class="value">'
                       f"{share.pct:.1f}%</text>")
            by += BAR + BAR_GAP
        out.append("</g>")
        y += per_block
    out.append("</svg>")
    return "\n".join(out)
