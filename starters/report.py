"""Where time and effort go, from Temporal's own records:

  python -m starters.report [--hours 24 | --since TIME [--until TIME]]
        [--type ExpenseReimbursement ...]
        [--process order-to-cash|onboarding] [--where FILTER] [--costs FILE]
        [--cost STEP=AMOUNT ...] [--json] [--html report.html] [--page-size 100]
        [--query-timeout 5]

Per step: completion time (median, p90), handoff delay (from the previous step's end to
this step's start), handoffs (the performer changed), reminders, escalations, who did it,
its activities' error and retry rates, the tasks open now and how long they have waited,
and its cost (valuechain/costs.toml, VALUECHAIN_COSTS_FILE, --costs, --cost). Per workflow
type: cycle time, automation share, share finished within the due time, cost per
transaction (a process's includes its stages'). Per process: time in each stage and the
bottleneck. Visibility is read page by page and each history folded in and dropped, so a
large window does not fill memory.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from starters.common import fail
from valuechain.client import ConnectError, connect
from valuechain.costs import CostTable, load_costs
from valuechain.insight import Insight, add_retrying, facts_of
from valuechain.process import peak_memory_mb, run_command
from valuechain.settings import Settings, SettingsError
from workflows.registry import workflow_names

PROCESS_TYPES = {"order-to-cash": "OrderToCash", "onboarding": "EmployeeOnboarding"}


class Reader:
    """Pages through visibility and folds each run's history into an `Insight`. A run
    without a result is asked for its `state` (a worker answers by replaying its history);
    a task queue whose worker does not answer in time is not asked again. The child
    workflows of a run (a process's stages) are read with it, whether the window lists
    them or not; each child is read once, so only the run ids of children are kept."""

    def __init__(self, client: Client, insight: Insight, query_timeout: float) -> None:
        self.client = client
        self.insight = insight
        self.query_timeout = timedelta(seconds=query_timeout)
        self.read = 0
        self.silent_queues: set[str] = set()
        self.children_read: set[str] = set()  # run ids

    async def run(self, query: str, page_size: int) -> None:
        async for execution in self.client.list_workflows(query, page_size=page_size):
            if execution.parent_id and execution.run_id in self.children_read:
                continue  # read already, with its parent
            await self.fold(execution.id, execution.run_id or "")

    async def fold(self, workflow_id: str, run_id: str) -> None:
        handle = self.client.get_workflow_handle(workflow_id, run_id=run_id or None)
        facts = facts_of(await handle.fetch_history())
        if facts.result is None and not facts.completed:
            facts.result = await self.ask_state(handle, facts.task_queue)
            facts.as_of = datetime.now(UTC)
        if facts.closed is None:
            described = await handle.describe()
            add_retrying(facts, list(described.raw_description.pending_activities))
        self.insight.add(facts)
        if facts.parent_id is not None:
            self.children_read.add(run_id)
        self.read += 1
        if self.read % 100 == 0:
            print(f"  {self.read} workflows read", file=sys.stderr, flush=True)
        for child in facts.children:
            if child.run_id not in self.children_read:
                await self.fold(child.workflow_id, child.run_id)

    async def ask_state(self, handle: WorkflowHandle[Any, Any], queue: str) -> Any:
        if queue in self.silent_queues:
            return None
        try:
            return await handle.query("state", rpc_timeout=self.query_timeout)
        except RPCError as err:
            # No worker polls the queue (the server says so, or the wait runs out): the
            # other runs there would wait just as long, so they are not asked.
            self.silent_queues.add(queue)
            print(f"  task queue {queue}: no worker answered ({err.message}); the steps"
                  " of its runs without a result are not read", file=sys.stderr,
                  flush=True)  # fmt: skip
            return None
        except WorkflowQueryFailedError:
            return None


async def gather(
    settings: Settings,
    query: str,
    page_size: int,
    costs: CostTable | None = None,
    query_timeout: float = 5.0,
) -> Insight:
    reader = Reader(await connect(settings), Insight(costs), query_timeout)
    await reader.run(query, page_size)
    return reader.insight


# Per step: completion and handoff delay (median/p90), handoffs, reminders sent,
# escalations, activities (error and retry rates, on a retry now), tasks open now and how
# long they have waited (median/p90), the step's cost.
STEP_HEADER = (
    f"  {'step':24} {'by':6} {'done in':>13} {'handoff':>13} {'handoffs':>8} {'remind':>6}"
    f" {'escal':>5} {'acts':>5} {'err':>5} {'retry':>5} {'now':>5} {'open':>4}"
    f" {'waiting':>13} {'cost':>7}"
)


def _fmt(spread: dict[str, float] | None) -> str:
    return "-" if not spread else f"{spread['median']:.1f}/{spread['p90']:.1f}s"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _moment(flag: str) -> Callable[[str], datetime]:
    def parse(text: str) -> datetime:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            fail(f"{flag} {text!r}: not a time; expected ISO 8601, for example"
                 " 2026-11-01T00:00:00Z")  # fmt: skip
        if moment.tzinfo is None:
            fail(f"{flag} {text!r}: needs a time zone, for example 2026-11-01T00:00:00Z")
        return moment

    return parse


def _runs(n: int) -> str:
    return "1 run" if n == 1 else f"{n} runs"


def table(report: dict[str, Any]) -> str:
    lines = []
    currency = report.get("currency") or ""
    for name, t in report["workflow_types"].items():
        cost = t["cost_per_transaction"]
        lines.append(
            f"{name}: {_runs(t['runs'])} ({t['running']} running, {t['not_completed']} not"
            f" completed); cycle {_fmt(t['cycle_seconds'])} (median/p90); automation"
            f" {_share(t['automation_share'])}; within due {_share(t['within_due_share'])};"
            f" activity errors {_share(t['activity_error_rate'])}, retries"
            f" {_share(t['activity_retry_rate'])}"
            + (f"; cost {cost} {currency}" if cost and Decimal(cost) else "")
        )
        if t["steps_unread"]:
            lines.append(f"  ({t['steps_unread']} runs without a result: steps not read,"
                         " no worker answered)")  # fmt: skip
        if t["steps"]:
            lines.append(STEP_HEADER)
        for step, s in t["steps"].items():
            retrying = s["activities_retrying_now"]
            lines.append(
                f"  {step:24} {s['performer']:6} {_fmt(s['completion_seconds']):>13}"
                f" {_fmt(s['handoff_delay_seconds']):>13} {s['handoffs']:>8} {s['reminders']:>6}"
                f" {s['escalations']:>5} {s['activities']:>5}"
                f" {_share(s['activity_error_rate']):>5} {_share(s['activity_retry_rate']):>5}"
                f" {retrying or '':>5} {s['open_now'] or '':>4}"
                f" {_fmt(s['open_waiting_seconds']) if s['open_now'] else '':>13}"
                f" {s['cost'] or '':>7}".rstrip()
            )
        if "process" in t:
            p = t["process"]
            lines.append("  stages (median): " + ", ".join(
                f"{k} {v:.1f}s" for k, v in p["stage_median_seconds"].items()))  # fmt: skip
            lines.append(f"  bottleneck: {p['bottleneck']}; automation across the stages"
                         f" {_share(p['automation_share'])}")  # fmt: skip
    return "\n".join(lines) or "no workflows in that window"


def chart(report: dict[str, Any]) -> str:
    """An HTML page with a bar chart per process (stage medians) and per workflow type of
    more than one step (step medians), processes first, the bottleneck in red."""
    parts = ["<!doctype html><meta charset=utf-8><title>Valuechain report</title>",
             "<style>body{font-family:sans-serif} p{color:#555}</style>",
             "<h1>Where the time goes</h1>"]  # fmt: skip
    currency = report.get("currency") or ""
    types = sorted(report["workflow_types"].items(), key=lambda kv: "process" not in kv[1])
    for name, t in types:
        if "process" in t:
            bars = t["process"]["stage_median_seconds"]
            worst = t["process"]["bottleneck"]
            what = "stage"
        else:
            bars = {k: s["completion_seconds"]["median"]
                    for k, s in t["steps"].items() if s["completion_seconds"]}  # fmt: skip
            worst = max(bars, key=lambda k: bars[k]) if bars else ""
            what = "step"
        if len(bars) < 2:
            continue  # one bar shows no bottleneck
        cycle = t["cycle_seconds"]
        facts = [_runs(t["runs"]), f"bottleneck {what}: {worst}"]
        if cycle:
            facts.append(f"cycle time median {cycle['median']:.1f}s, p90 {cycle['p90']:.1f}s")
        if t["cost_per_transaction"] and Decimal(t["cost_per_transaction"]):
            facts.append(f"cost per transaction {t['cost_per_transaction']} {currency}")
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


def parse_costs(raw: list[str]) -> dict[str, Decimal]:
    costs = {}
    for item in raw:
        step, sep, amount = item.partition("=")
        try:
            value = Decimal(amount)
        except InvalidOperation:
            value = Decimal(-1)
        if not sep or not step or not value.is_finite() or value < 0:
            fail(f"--cost {item!r}: expected STEP=AMOUNT with an amount of 0 or more,"
                 " for example manager_review=12.50")  # fmt: skip
        costs[step] = value
    return costs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Where time and effort go in the workflows.")
    p.add_argument("--hours", type=float, default=24.0, help="window: started in the last N hours")
    p.add_argument("--since", type=_moment("--since"), help="window: started at or after TIME"
                   " (ISO 8601 with a time zone, for example 2026-11-01T00:00:00Z)")  # fmt: skip
    p.add_argument("--until", type=_moment("--until"), help="window: started before TIME")
    p.add_argument("--type", dest="types", action="append", default=[], help="a workflow type")
    p.add_argument("--process", action="append", default=[], choices=sorted(PROCESS_TYPES),
                   help="a process (and its stages' workflows)")  # fmt: skip
    p.add_argument("--where", metavar="FILTER",
                   help='a further list filter, for example CustomerId="acme"')  # fmt: skip
    p.add_argument("--costs", metavar="FILE", help="step costs (default VALUECHAIN_COSTS_FILE)")
    p.add_argument("--cost", action="append", default=[], metavar="STEP=AMOUNT",
                   help="price a step for this report, over the costs file")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--html", metavar="FILE", help="also write a chart page here")
    p.add_argument("--page-size", dest="page_size", type=int, default=100)
    p.add_argument("--query-timeout", dest="query_timeout", type=float, default=5.0,
                   help="seconds to wait for a worker to tell a run's state")  # fmt: skip
    args = p.parse_args(argv)
    if args.hours <= 0:
        fail(f"--hours must be more than 0, got {args.hours:g}")
    if not 1 <= args.page_size <= 1000:
        fail(f"--page-size must be between 1 and 1000, got {args.page_size}")
    if args.query_timeout <= 0:
        fail(f"--query-timeout must be more than 0, got {args.query_timeout:g}")
    known = workflow_names()
    for t in args.types:
        if t not in known:
            fail(f"--type {t!r} is not a workflow type; known: {', '.join(known)}")
    extra = parse_costs(args.cost)
    try:
        settings = Settings.from_env()
        costs = load_costs(settings, args.costs or "").with_steps(extra)
    except SettingsError as err:
        fail(str(err))
    for t in costs.types:
        if t not in known:
            fail(f"costs file: types.{t} is not a workflow type; known: {', '.join(known)}")
    types = [*args.types, *(PROCESS_TYPES[name] for name in args.process)]
    since = args.since or datetime.now(UTC) - timedelta(hours=args.hours)
    if args.until is not None and args.until <= since:
        fail(f"--until {args.until.isoformat()} must be after the window's start"
             f" {since.isoformat()}")  # fmt: skip
    query = f'StartTime >= "{since.isoformat()}"'
    if args.until is not None:
        query += f' AND StartTime < "{args.until.isoformat()}"'
    if types:
        query += " AND (" + " OR ".join(f'WorkflowType="{t}"' for t in types) + ")"
    if args.where:
        query += f" AND ({args.where})"
    started = time.perf_counter()
    try:
        insight = asyncio.run(gather(settings, query, args.page_size, costs,
                                     args.query_timeout))  # fmt: skip
    except ConnectError as err:
        fail(str(err), code=1)
    except RPCError as err:
        if err.status != RPCStatusCode.INVALID_ARGUMENT or not args.where:
            raise
        fail(f"--where {args.where!r}: the server refused the filter: {err.message}")
    report = insight.report()
    runs = sum(t["runs"] for t in report["workflow_types"].values())
    done = f"read {runs} workflows in {time.perf_counter() - started:.1f}s"
    peak = peak_memory_mb()
    print(done + (f", peak memory {peak:.1f} MB" if peak else ""), file=sys.stderr, flush=True)
    if args.html:
        Path(args.html).write_text(chart(report))
    print(json.dumps(report, indent=2) if args.json else table(report))
    return 0


if __name__ == "__main__":
    run_command(main)
