"""The bench's table: each figure beside the raw limit it is bounded by, measured in the same run."""

from __future__ import annotations

from dataclasses import dataclass


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


@dataclass(frozen=True)
class Row:
    """One measured figure, its raw limit, and the target the issue sets."""

    what: str
    figure: float
    unit: str
    limit_what: str
    limit: float
    target: str
    met: bool | None = None

    @property
    def ratio(self) -> float:
        return self.figure / self.limit if self.limit else float("nan")


def render(rows: list[Row]) -> str:
    """A Markdown table (it reads in a terminal too)."""
    lines = [
        "| measured | figure | raw limit (same run) | limit | ratio | target | met |",
        "| --- | ---: | --- | ---: | ---: | --- | --- |",
    ]
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(
            f"| {row.what} | {row.figure:,.1f} {row.unit} | {row.limit_what} | {row.limit:,.1f} {row.unit} "
            f"| {row.ratio:.2f} | {row.target} | {met} |"
        )
    return "\n".join(lines)
