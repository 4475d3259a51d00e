"""The report as an HTML page of bar charts: where the time goes, the bottleneck in red."""

from __future__ import annotations

import html
from decimal import Decimal

from valuechain.insight.figures import Report


def _runs(n: int) -> str:
    return "1 run" if n == 1 else f"{n} runs"


def chart(report: Report) -> str:
    """An HTML page with a bar chart per process (stage medians) and per workflow type of
    more than one step (step medians), processes first, the bottleneck in red."""
    parts = ["<!doctype html><meta charset=utf-8><title>Valuechain report</title>",
             "<style>body{font-family:sans-serif} p{color:#555}</style>",
             "<h1>Where the time goes</h1>"]  # fmt: skip
    currency = report.currency or ""
    types = sorted(report.workflow_types.items(), key=lambda kv: kv[1].process is None)
    for name, t in types:
        if t.process is not None:
            bars = t.process.stage_median_seconds
            worst = t.process.bottleneck
            what = "stage"
        else:
            bars = {k: s.completion_seconds.median
                    for k, s in t.steps.items() if s.completion_seconds}  # fmt: skip
            worst = max(bars, key=lambda k: bars[k]) if bars else ""
            what = "step"
        if len(bars) < 2:
            continue  # one bar shows no bottleneck
        cycle = t.cycle_seconds
        facts = [_runs(t.runs), f"bottleneck {what}: {worst}"]
        if cycle:
            facts.append(f"cycle time median {cycle.median:.1f}s, p90 {cycle.p90:.1f}s")
        if t.cost_per_transaction and Decimal(t.cost_per_transaction):
            facts.append(f"cost per transaction {t.cost_per_transaction} {currency}")
        top = max(bars.values()) or 1.0
        parts.append(f"<h2>{html.escape(name)}</h2><p>{html.escape('; '.join(facts))}</p>"
                     f"<svg width=720 height={24 * len(bars) + 10}>")  # fmt: skip
        for i, (label, value) in enumerate(bars.items()):
            width = 420 * value / top
            colour = "#c0392b" if label == worst else "#4a6fa5"
            parts.append(
                f"<text x=0 y={24 * i + 17} font-size=13>{html.escape(label)}</text>"
                f'<rect x=200 y={24 * i + 4} width={width:.1f} height=18 fill="{colour}"/>'
                f"<text x={205 + width:.1f} y={24 * i + 17} font-size=12>{value:.1f}s</text>"
            )
        parts.append("</svg>")
    return "\n".join(parts)
