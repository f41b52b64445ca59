"""Charts of the dashboard pages: inline SVG drawn on the server.

No JavaScript and nothing from a CDN: each chart is an ``<svg role="img">`` whose title
names it for screen readers; the SVG holds only numbers and names (every text escaped),
the pages translate the headings around it and show the same figures as a table.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

COLOURS = ("#1f5f8b", "#c0392b", "#d68910", "#27ae60", "#7d3c98", "#566573")


def compact(value: float) -> str:
    """A compact amount for an axis or a bar: 1.2M, 350k, 12."""
    a = abs(value)
    if a >= 1e9:
        return f"{value / 1e9:.1f}B"
    if a >= 1e6:
        return f"{value / 1e6:.1f}M"
    if a >= 1e3:
        return f"{value / 1e3:.0f}k"
    return f"{value:.0f}"


def bar_chart(items: list[tuple[str, float]], *, label: str, percent: bool = False) -> Markup:
    """Horizontal bars, largest first as given; ``label`` is the SVG's accessible title."""
    row, left, width = 22, 150, 560
    height = 20 + row * max(len(items), 1)
    high = max((v for _, v in items), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width + left + 80}" '
        f'height="{height}" viewBox="0 0 {width + left + 80} {height}" '
        f'font-family="sans-serif" font-size="12"><title>{escape(label)}</title>'
    ]
    for i, (name, value) in enumerate(items):
        y = 10 + i * row
        w = max(0.0, value) / high * width
        text = f"{value * 100:.1f}%" if percent else compact(value)
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">'
            f"{escape(name[:24])}</text>"
            f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{COLOURS[0]}"/>'
            f'<text x="{left + w + 4:.1f}" y="{y + 14}">{text}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built here, every text escaped


def line_chart(
    series: list[tuple[str, list[float]]],
    x_labels: list[str],
    *,
    label: str,
    percent: bool = False,
    dashed: frozenset[str] = frozenset(),
) -> Markup:
    """Lines over evenly spaced ``x_labels``, one per named series, with a legend."""
    left, top, width, height = 70, 20, 620, 240
    bottom = top + height
    values = [v for _, ys in series for v in ys]
    high = (max(values, default=0.0) or 1.0) * 1.1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{left + width + 170}" '
        f'height="{bottom + 40}" viewBox="0 0 {left + width + 170} {bottom + 40}" '
        f'font-family="sans-serif" font-size="12"><title>{escape(label)}</title>',
        f'<line x1="{left}" y1="{bottom}" x2="{left + width}" y2="{bottom}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/>',
    ]
    for tick in range(5):
        y = bottom - height * tick / 4
        v = high * tick / 4
        text = f"{v * 100:.0f}%" if percent else compact(v)
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{text}</text>'
        )
    span = max(len(x_labels) - 1, 1)

    def x_of(i: int) -> float:
        return left + width * i / span

    for i, name in enumerate(x_labels):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{bottom + 16}" text-anchor="middle" '
            f'font-size="10">{escape(name)}</text>'
        )
    for k, (name, ys) in enumerate(series):
        colour = COLOURS[(k // 2 if dashed else k) % len(COLOURS)]
        dash = ' stroke-dasharray="6 4"' if name in dashed else ""
        points = " ".join(
            f"{x_of(i):.1f},{bottom - height * y / high:.1f}" for i, y in enumerate(ys)
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{points}"/>'
        )
        parts.append(
            f'<line x1="{left + width + 15}" y1="{top + 10 + 18 * k}" '
            f'x2="{left + width + 40}" y2="{top + 10 + 18 * k}" stroke="{colour}" '
            f'stroke-width="2"{dash}/><text x="{left + width + 45}" '
            f'y="{top + 14 + 18 * k}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - built here, every text escaped
