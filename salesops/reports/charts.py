"""Charts as inline SVG, drawn here: the text stays text, so Chinese labels are rendered by
the reader's browser with its own fonts (nothing depends on fonts where the report was
made, and nothing is rasterised). Every label is XML-escaped."""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from salesops.text import width as text_width

FONT = (
    "-apple-system,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',"
    "'Source Han Sans SC','WenQuanYi Micro Hei',sans-serif"
)
PALETTE = ("#2f6db5", "#e07b39", "#3a9d5d", "#8e5ea2", "#c8414b", "#6b7785")
INK = "#333"
GRID = "#ddd"

Series = tuple[str, Sequence[float]]


def _num(value: float) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _nice_top(value: float, ticks: int = 4) -> tuple[float, float]:
    """A round top of the axis and its step (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0, 1.0 / ticks if ticks > 1 else 1.0
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 5, 10):
        step = mult * power
        if step >= raw:
            break
    step = max(step, 1.0) if value >= 1 else step
    return math.ceil(value / step) * step, step


def _text(
    x: float, y: float, label: str, *, size: int = 11, anchor: str = "middle", **attrs
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    lines = str(label).split("\n")
    if len(lines) == 1:
        return (
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>'
            f"{escape(label)}</text>"
        )
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if n == 0 else size + 2}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f'<text y="{y:.1f}" font-size="{size}" text-anchor="{anchor}"{extra}>{spans}</text>'


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="{FONT}" fill="{INK}">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _legend(items: list[tuple[str, str, bool]], x: float, y: float) -> list[str]:
    out = []
    for label, color, dashed in items:
        if dashed:
            out.append(
                f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 14:.1f}" y2="{y - 4:.1f}" '
                f'stroke="{color}" stroke-width="2" stroke-dasharray="4 2"/>'
            )
        else:
            out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="10" fill="{color}"/>')
        out.append(_text(x + 17, y, label, size=11, anchor="start"))
        x += 17 + text_width(label) * 6.5 + 16
    return out


def grouped_bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    lines: Sequence[Series] = (),
    width: int = 720,
    height: int = 280,
) -> Markup:
    """Bars side by side per category; ``lines`` (e.g. the previous week) as dashed lines."""
    left, right, top, bottom = 44, 12, 36, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vals in (*series, *lines) for v in vals if v is not None]
    ymax, step = _nice_top(max(values, default=0))
    body = [_text(left, 16, title, size=14, anchor="start", font_weight="bold")]
    colors = {name: PALETTE[n % len(PALETTE)] for n, (name, _) in enumerate(series)}
    legend = [(name, colors[name], False) for name, _ in series]
    line_colors = {}
    for n, (name, _) in enumerate(lines):
        line_colors[name] = PALETTE[n % len(PALETTE)]
        legend.append((name, line_colors[name], True))
    body += _legend(legend, left + 8 + text_width(title) * 7.5 + 16, 16)

    def y_of(v: float) -> float:
        return top + plot_h - (v / ymax) * plot_h

    tick = 0.0
    while tick <= ymax + 1e-9:
        y = y_of(tick)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, _num(tick), size=10, anchor="end"))
        tick += step
    n_cat = max(len(categories), 1)
    group_w = plot_w / n_cat
    n_ser = max(len(series), 1)
    bar_w = min(28.0, group_w * 0.8 / n_ser)
    for c, cat in enumerate(categories):
        gx = left + c * group_w + (group_w - bar_w * n_ser) / 2
        for s, (name, vals) in enumerate(series):
            v = vals[c] or 0
            x, y = gx + s * bar_w, y_of(v)
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{top + plot_h - y:.1f}" fill="{colors[name]}"><title>{escape(cat)} '
                f"{escape(name)}: {_num(v)}</title></rect>"
            )
            if v:
                body.append(_text(x + (bar_w - 2) / 2, y - 3, _num(v), size=9))
        body.append(_text(left + (c + 0.5) * group_w, top + plot_h + 16, cat, size=11))
    for name, vals in lines:
        points = [
            (left + (c + 0.5) * group_w, y_of(v or 0))
            for c, v in enumerate(vals[: len(categories)])
        ]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{line_colors[name]}" '
                f'stroke-width="2" stroke-dasharray="5 3"/>'
            )
            body += [
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{line_colors[name]}"/>'
                for x, y in points
            ]
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{INK}"/>'
    )
    return _svg(width, height, title, body)


def funnel(
    title: str,
    stages: Sequence[tuple[str, float]],
    rates: Sequence[str],
    *,
    width: int = 720,
    row: int = 46,
) -> Markup:
    """Stages as centred bars narrowing with the count; ``rates`` label the steps between."""
    top = 34
    height = top + row * len(stages) + 8
    label_w = 120
    plot_w = width - label_w - 140
    vmax = max((v for _, v in stages), default=0) or 1
    body = [_text(0, 16, title, size=14, anchor="start", font_weight="bold")]
    for n, (label, value) in enumerate(stages):
        y = top + n * row
        w = max(plot_w * (value / vmax), 2)
        x = label_w + (plot_w - w) / 2
        color = PALETTE[n % len(PALETTE)]
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{row - 14}" rx="3" '
            f'fill="{color}"><title>{escape(label)}: {_num(value)}</title></rect>'
        )
        body.append(_text(label_w - 10, y + row / 2 - 3, label, size=12, anchor="end"))
        body.append(
            _text(
                label_w + plot_w / 2,
                y + row / 2 - 3,
                _num(value),
                size=13,
                font_weight="bold",
                fill="#fff" if w > 40 else INK,
            )
        )
        if n < len(rates):
            body.append(
                _text(label_w + plot_w + 12, y + row - 4, "↓ " + rates[n], size=11, anchor="start")
            )
    return _svg(width, height, title, body)


def hbars(
    title: str, items: Sequence[tuple[str, float]], *, width: int = 720, row: int = 22
) -> Markup:
    """Horizontal bars, largest first (e.g. the topics customers asked about)."""
    top = 30
    height = top + row * max(len(items), 1) + 6
    label_w = min(260, max((text_width(lbl) for lbl, _ in items), default=4) * 7 + 16)
    plot_w = width - label_w - 50
    vmax = max((v for _, v in items), default=0) or 1
    body = [_text(0, 16, title, size=14, anchor="start", font_weight="bold")]
    for n, (label, value) in enumerate(items):
        y = top + n * row
        w = max(plot_w * (value / vmax), 1)
        body.append(_text(label_w - 8, y + row / 2 + 3, label, size=11, anchor="end"))
        body.append(
            f'<rect x="{label_w}" y="{y + 3:.1f}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{PALETTE[0]}"/>'
        )
        body.append(_text(label_w + w + 5, y + row / 2 + 3, _num(value), size=10, anchor="start"))
    return _svg(width, height, title, body)
