"""Where time and effort go, from Temporal's own records:

  python -m starters.report [--hours 24] [--type ExpenseReimbursement ...]
        [--process order-to-cash|onboarding] [--cost STEP=AMOUNT ...] [--json]
        [--html report.html] [--page-size 100]

Per step: completion time (median, p90), handoff delay (from the previous step's end to
this step's start), handoffs (the performer changed), reminders, escalations, who did it.
Per workflow type: cycle time, automation share, share finished within the due time,
activity error and retry rates, cost per transaction (with --cost). Per process: time in
each stage and the bottleneck. Visibility is read page by page and each history folded
in and dropped, so a large window does not fill memory.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from starters.common import fail
from starters.insight import Insight, facts_of
from valuechain.client import connect
from valuechain.process import run_command
from valuechain.settings import Settings, SettingsError

PROCESS_TYPES = {"order-to-cash": "OrderToCash", "onboarding": "EmployeeOnboarding"}


async def gather(
    settings: Settings, query: str, page_size: int, costs: dict[str, Decimal]
) -> Insight:
    client = await connect(settings)
    insight = Insight(costs)
    seen = 0
    async for execution in client.list_workflows(query, page_size=page_size):
        history = await client.get_workflow_handle(execution.id, run_id=execution.run_id
                                                   ).fetch_history()  # fmt: skip
        insight.add(facts_of(history))
        seen += 1
        if seen % 100 == 0:
            print(f"  {seen} workflows read", file=sys.stderr, flush=True)
    return insight


def _fmt(spread: dict[str, float] | None) -> str:
    return "-" if not spread else f"{spread['median']:.1f}/{spread['p90']:.1f}s"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def table(report: dict[str, Any]) -> str:
    lines = []
    for name, t in report["workflow_types"].items():
        lines.append(
            f"{name}: {t['runs']} runs ({t['running']} running, {t['not_completed']} not"
            f" completed); cycle {_fmt(t['cycle_seconds'])} (median/p90); automation"
            f" {_share(t['automation_share'])}; within due {_share(t['within_due_share'])};"
            f" activity errors {_share(t['activity_error_rate'])}, retries"
            f" {_share(t['activity_retry_rate'])}"
            + (f"; cost {t['cost_per_transaction']}" if t["cost_per_transaction"] else "")
        )
        for step, s in t["steps"].items():
            lines.append(
                f"  {step:28} {s['performer']:12} done in {_fmt(s['completion_seconds']):>14}"
                f"  handoff {_fmt(s['handoff_delay_seconds']):>14}  handoffs {s['handoffs']}"
                f"  reminders {s['reminders']}  escalations {s['escalations']}"
            )
        if "process" in t:
            p = t["process"]
            lines.append("  stages (median): " + ", ".join(
                f"{k} {v:.1f}s" for k, v in p["stage_median_seconds"].items()))  # fmt: skip
            lines.append(f"  bottleneck: {p['bottleneck']}")
    return "\n".join(lines) or "no workflows in that window"


def chart(report: dict[str, Any]) -> str:
    """An HTML page with one bar chart per workflow type: stage (or step) medians, the
    bottleneck in red."""
    parts = ["<!doctype html><meta charset=utf-8><title>Valuechain report</title>",
             "<style>body{font-family:sans-serif}</style><h1>Where the time goes</h1>"]  # fmt: skip
    for name, t in report["workflow_types"].items():
        if "process" in t:
            bars = t["process"]["stage_median_seconds"]
            worst = t["process"]["bottleneck"]
        else:
            bars = {k: (s["completion_seconds"] or {}).get("median", 0.0)
                    for k, s in t["steps"].items()}  # fmt: skip
            worst = max(bars, key=lambda k: bars[k]) if bars else ""
        if not bars:
            continue
        top = max(bars.values()) or 1.0
        parts.append(f"<h2>{html.escape(name)}</h2><svg width=720 height={24 * len(bars) + 10}>")
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


def parse_costs(raw: list[str]) -> dict[str, Decimal]:
    costs = {}
    for item in raw:
        step, sep, amount = item.partition("=")
        try:
            costs[step] = Decimal(amount)
        except InvalidOperation:
            fail(f"--cost {item!r}: expected STEP=AMOUNT, for example manager_review=12.50")
        if not sep or not step:
            fail(f"--cost {item!r}: expected STEP=AMOUNT, for example manager_review=12.50")
    return costs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Where time and effort go in the workflows.")
    p.add_argument("--hours", type=float, default=24.0, help="window: started in the last N hours")
    p.add_argument("--type", dest="types", action="append", default=[], help="a workflow type")
    p.add_argument("--process", choices=sorted(PROCESS_TYPES), help="a process")
    p.add_argument("--cost", action="append", default=[], metavar="STEP=AMOUNT")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--html", metavar="FILE", help="also write a chart page here")
    p.add_argument("--page-size", dest="page_size", type=int, default=100)
    args = p.parse_args(argv)
    if args.hours <= 0 or not 1 <= args.page_size <= 1000:
        fail("--hours must be more than 0 and --page-size between 1 and 1000")
    costs = parse_costs(args.cost)
    types = [*args.types, *([PROCESS_TYPES[args.process]] if args.process else [])]
    since = (datetime.now(UTC) - timedelta(hours=args.hours)).isoformat()
    query = f'StartTime > "{since}"'
    if types:
        query += " AND (" + " OR ".join(f'WorkflowType="{t}"' for t in types) + ")"
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        fail(str(err))
    report = asyncio.run(gather(settings, query, args.page_size, costs)).report()
    if args.html:
        Path(args.html).write_text(chart(report))
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 0


if __name__ == "__main__":
    run_command(main)
