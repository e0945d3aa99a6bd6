"""Pure: bar charts as inline SVG, drawn on the server (no script, no CDN), readable in print and aloud.

Each bar carries a `<title>` with its exact value; the chart has a title and a description, and the page
shows the same numbers in a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 44
TICKS = 4


@dataclass(frozen=True)
class Bar:
    """One bar: its label under the axis, its value, and the text shown on hover and to screen readers."""

    label: str
    value: int
    text: str


def bar_chart(
    bars: list[Bar],
    *,
    title: str,
    description: str,
    axis_label: Callable[[int], str],
    goal: int | None = None,
    goal_text: str = "",
    chart_id: str = "chart",
) -> str:
    """An SVG bar chart; `goal` draws a dashed line at that value, labelled `goal_text`."""
    top = max([b.value for b in bars] + [goal or 0, 1])
    top = _nice(top)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(bars), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for tick in range(TICKS + 1):
        value = top * tick // TICKS
        y = TOP + inner_h - inner_h * tick / TICKS
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(axis_label(value))}</text>"
        )
    every = max(1, len(bars) // 12)  # at most about twelve labels under the axis
    for index, bar in enumerate(bars):
        height = inner_h * bar.value / top if bar.value > 0 else 0
        x = LEFT + index * step + step * 0.15
        y = TOP + inner_h - height
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{height:.1f}">'
            f"<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>"
        )
        if index % every == 0:
            cx = LEFT + index * step + step / 2
            parts.append(
                f'<text class="label" x="{cx:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                f"{escape(bar.label)}</text>"
            )
    if goal:
        y = TOP + inner_h - inner_h * goal / top
        parts.append(f'<line class="goal" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="goal-text" x="{WIDTH - RIGHT}" y="{y - 6:.1f}" text-anchor="end">'
            f"{escape(goal_text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _nice(value: int) -> int:
    """A round top for the axis at or above `value`: 1, 2 or 5 times a power of ten (times TICKS)."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            candidate = factor * magnitude * TICKS
            if candidate >= value:
                return candidate
        magnitude *= 10
