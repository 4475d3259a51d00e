"""`valuechain report`: where time and effort go, from Temporal's own records (the
engine is `valuechain.insight`; this command picks the window and shows the figures).

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

import asyncio
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from cyclopts import App, Parameter
from rich.table import Table
from temporalio.service import RPCError, RPCStatusCode

from starters.cli import EXIT_FAILED, Failed, Json, console, load_settings, print_json
from valuechain.client import ConnectError
from valuechain.costs import load_costs
from valuechain.insight import gather
from valuechain.insight.chart import chart
from valuechain.insight.figures import Report, Spread, TypeReport
from valuechain.process import peak_memory_mb
from valuechain.settings import SettingsError
from workers.registry import workflow_names

PROCESS_TYPES = {"order-to-cash": "OrderToCash", "onboarding": "EmployeeOnboarding"}

# Per step: who performs it, completion and handoff delay (median/p90), handoffs,
# reminders sent, escalations, activities (error and retry rates, on a retry now), tasks
# open now and how long they have waited (median/p90), the step's cost.
STEP_COLUMNS = ["step", "by", "done in", "handoff", "handoffs", "remind", "escal", "acts",
                "err", "retry", "now", "open", "waiting", "cost"]  # fmt: skip

app = App(name="report", help="Where time and effort go, from Temporal's own records.")


def _fmt(spread: Spread | None) -> str:
    return "-" if not spread else f"{spread.median:.1f}/{spread.p90:.1f}s"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _runs(n: int) -> str:
    return "1 run" if n == 1 else f"{n} runs"


def _headline(name: str, t: TypeReport, currency: str) -> str:
    cost = t.cost_per_transaction
    return (
        f"{name}: {_runs(t.runs)} ({t.running} running, {t.not_completed} not"
        f" completed); cycle {_fmt(t.cycle_seconds)} (median/p90); automation"
        f" {_share(t.automation_share)}; within due {_share(t.within_due_share)};"
        f" activity errors {_share(t.activity_error_rate)}, retries"
        f" {_share(t.activity_retry_rate)}"
        + (f"; cost {cost} {currency}" if cost and Decimal(cost) else "")
    )


def render(report: Report) -> None:
    """Per workflow type a headline and a table of its steps, then its stages."""
    out = console()
    currency = report.currency or ""
    if not report.workflow_types:
        out.print("no workflows in that window (widen it: --hours, --since)")
    for name, t in report.workflow_types.items():
        out.print(_headline(name, t, currency))
        if t.steps_unread:
            out.print(f"  ({t.steps_unread} runs without a result: steps not read,"
                      " no worker answered)")  # fmt: skip
        if t.steps:
            steps = Table(box=None, padding=(0, 1, 0, 2))
            for i, column in enumerate(STEP_COLUMNS):
                steps.add_column(column, justify="left" if i < 2 else "right", no_wrap=True)
            for step, s in t.steps.items():
                steps.add_row(
                    step, s.performer, _fmt(s.completion_seconds),
                    _fmt(s.handoff_delay_seconds), str(s.handoffs), str(s.reminders),
                    str(s.escalations), str(s.activities),
                    _share(s.activity_error_rate), _share(s.activity_retry_rate),
                    str(s.activities_retrying_now or ""), str(s.open_now or ""),
                    _fmt(s.open_waiting_seconds) if s.open_now else "",
                    s.cost or "",
                )  # fmt: skip
            out.print(steps)
        if t.process is not None:
            p = t.process
            out.print("  stages (median): " + ", ".join(
                f"{k} {v:.1f}s" for k, v in p.stage_median_seconds.items()))  # fmt: skip
            out.print(f"  bottleneck: {p.bottleneck}; automation across the stages"
                      f" {_share(p.automation_share)}")  # fmt: skip


COST = re.compile(r"^(?P<step>[^=]+)=(?P<amount>\d+(\.\d+)?)$")


def parse_costs(raw: list[str]) -> dict[str, Decimal]:
    costs = {}
    for item in raw:
        match = COST.match(item)
        if match is None:
            raise Failed(f"--cost {item!r}: expected STEP=AMOUNT with an amount of 0 or more,"
                         " for example manager_review=12.50")  # fmt: skip
        costs[match["step"]] = Decimal(match["amount"])
    return costs


def _zoned(flag: str, moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise Failed(f"{flag} {moment.isoformat()!r}: needs a time zone, for example"
                     " 2026-11-01T00:00:00Z")  # fmt: skip
    return moment


@app.default
def report(
    *,
    hours: Annotated[float, Parameter(help="window: started in the last N hours")] = 24.0,
    since: Annotated[
        datetime | None,
        Parameter(
            help="window: started at or after TIME (ISO 8601 with a time zone, for "
            "example 2026-11-01T00:00:00Z)"
        ),
    ] = None,
    until: Annotated[datetime | None, Parameter(help="window: started before TIME")] = None,
    type: Annotated[
        list[str] | None, Parameter(name="--type", negative=(), help="a workflow type")
    ] = None,
    process: Annotated[
        list[Literal["order-to-cash", "onboarding"]] | None,
        Parameter(negative=(), help="a process (and its stages' workflows)"),
    ] = None,
    where: Annotated[
        str | None, Parameter(help='a further list filter, for example CustomerId="acme"')
    ] = None,
    costs: Annotated[
        str | None, Parameter(help="step costs (default VALUECHAIN_COSTS_FILE)")
    ] = None,
    cost: Annotated[
        list[str] | None,
        Parameter(
            negative=(), help="STEP=AMOUNT: price a step for this report, over the costs file"
        ),
    ] = None,
    html: Annotated[Path | None, Parameter(help="also write a chart page here")] = None,
    page_size: int = 100,
    query_timeout: Annotated[
        float, Parameter(help="seconds to wait for a worker to tell a run's state")
    ] = 5.0,
    as_json: Json = False,
) -> int:
    """Per step: completion time, handoff delay, handoffs, reminders, escalations, error
    and retry rates, open tasks, cost. Per workflow type: cycle time, automation share,
    within due, cost per transaction. Per process: stage times and the bottleneck."""
    if hours <= 0:
        raise Failed(f"--hours must be more than 0, got {hours:g}")
    if not 1 <= page_size <= 1000:
        raise Failed(f"--page-size must be between 1 and 1000, got {page_size}")
    if query_timeout <= 0:
        raise Failed(f"--query-timeout must be more than 0, got {query_timeout:g}")
    known = workflow_names()
    for t in type or []:
        if t not in known:
            raise Failed(f"--type {t!r} is not a workflow type; known: {', '.join(known)}")
    extra = parse_costs(cost or [])
    settings = load_settings()
    try:
        table_of_costs = load_costs(settings, costs or "").with_steps(extra)
    except SettingsError as err:
        raise Failed(str(err)) from err
    for t in table_of_costs.types:
        if t not in known:
            raise Failed(f"costs file: types.{t} is not a workflow type;"
                         f" known: {', '.join(known)}")  # fmt: skip
    types = [*(type or []), *(PROCESS_TYPES[name] for name in process or [])]
    start = _zoned("--since", since) or datetime.now(UTC) - timedelta(hours=hours)
    end = _zoned("--until", until)
    if end is not None and end <= start:
        raise Failed(f"--until {end.isoformat()} must be after the window's start"
                     f" {start.isoformat()}")  # fmt: skip
    query = f'StartTime >= "{start.isoformat()}"'
    if end is not None:
        query += f' AND StartTime < "{end.isoformat()}"'
    if types:
        query += " AND (" + " OR ".join(f'WorkflowType="{t}"' for t in types) + ")"
    if where:
        query += f" AND ({where})"
    started = time.perf_counter()
    try:
        insight = asyncio.run(gather(settings, query, page_size, table_of_costs, query_timeout))
    except ConnectError as err:
        raise Failed(str(err), EXIT_FAILED) from err
    except RPCError as err:
        if err.status != RPCStatusCode.INVALID_ARGUMENT or not where:
            raise
        raise Failed(f"--where {where!r}: the server refused the filter: {err.message}") from err
    figures = insight.report()
    runs = sum(t.runs for t in figures.workflow_types.values())
    done = f"read {runs} workflows in {time.perf_counter() - started:.1f}s"
    peak = peak_memory_mb()
    print(done + (f", peak memory {peak:.1f} MB" if peak else ""), file=sys.stderr, flush=True)
    if html is not None:
        html.write_text(chart(figures))
    if as_json:
        print_json(figures)
    else:
        render(figures)
    return 0
