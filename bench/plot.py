"""The fan-out plot: server CPU µs per delivery against viewers, one line per
server, as a small self-contained SVG written with plain Python (no
plotting library), for docs/benchmarks.md."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from pathlib import Path

from .fanout import Result

WIDTH, HEIGHT = 640, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 36, 50
COLOURS = {
    "floor": "#555555",
    "websockets": "#1f77b4",
    "socketio": "#2ca02c",
    "doithoai": "#d62728",
    "asgi": "#ff7f0e",
    "base": "#9467bd",
}


def _step(top: float) -> float:
    """A round tick step giving 4 to 8 ticks up to ``top``."""
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * power >= raw:
            return float(m * power)
    return float(10 * power)


def svg(results: Sequence[Result], title: str) -> str:
    rows = [r for r in results if not r.failed and math.isfinite(r.cpu_us_per_delivery)]
    sizes = sorted({r.sockets for r in results})
    names = list(dict.fromkeys(r.variant for r in results))
    x_max = max(sizes) if sizes else 1
    y_top = max((r.cpu_us_per_delivery for r in rows), default=1.0) * 1.1
    step = _step(y_top)
    y_top = math.ceil(y_top / step) * step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(v: float) -> float:
        return LEFT + plot_w * v / x_max

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / y_top)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="20" font-size="14">{escape(title)}</text>',
    ]
    tick = 0.0
    while tick <= y_top + 1e-9:
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#dddddd"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>')
        tick += step
    for size in sizes:
        out.append(
            f'<text x="{x(size):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{size:,}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="black"/>'
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        'stroke="black"/>'
    )
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 10}" text-anchor="middle">viewers</text>'
    )
    out.append(
        f'<text transform="translate(16 {TOP + plot_h / 2}) rotate(-90)" '
        'text-anchor="middle">server CPU µs per delivery</text>'
    )
    for i, name in enumerate(names):
        colour = COLOURS.get(name, "#17becf")
        points = sorted((r.sockets, r.cpu_us_per_delivery) for r in rows if r.variant == name)
        if len(points) > 1:
            path = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        for s, v in points:
            out.append(f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}"/>')
        absent = not points
        ly = TOP + 10 + 20 * i
        lx = LEFT + plot_w + 16
        dash = ' stroke-dasharray="3 3"' if absent else ""
        out.append(
            f'<line x1="{lx}" x2="{lx + 20}" y1="{ly}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        label = f"{name} (absent)" if absent else name
        out.append(f'<text x="{lx + 26}" y="{ly + 4}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write(results: Sequence[Result], path: Path, title: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(svg(results, title), encoding="utf-8")
