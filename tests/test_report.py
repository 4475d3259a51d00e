"""The process-insight report, on a known set of runs: every figure it gives is checked
against what those runs are known to have done."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.bookings import BookingActivities
from activities.store import SystemOfRecord
from starters.insight import Insight, RunFacts
from starters.report import gather
from tests.helpers import (
    listed,
    new_id,
    run_context,
    stand_in,
    wait_for_state,
    worker,
)
from tests.helpers.cases import CASES, walk_happy_path
from tests.helpers.cli import cli_env, run_module
from tests.helpers.orders import deliver, order_input, pay, seeded, start_order, wait_order
from valuechain.settings import Settings


async def test_report_on_a_known_set_of_runs(
    env: WorkflowEnvironment, store: SystemOfRecord, task_queue: str, tmp_path: Path
) -> None:
    seeded(store)
    case = CASES[0]  # expense: manager, finance, payout
    real = BookingActivities(store).pay_expense

    async def payout_retried_once(arg: Any) -> Any:
        if activity.info().attempt == 1:
            raise ConnectionError("bank busy")
        return await real(arg)

    replace = {"pay_expense": stand_in("pay_expense", real, payout_retried_once)}
    async with worker(env.client, task_queue, store, replace):
        on_time = []
        for _ in range(2):
            h = await env.client.start_workflow(
                case.run, case.make_input(run_context(task_queue), "alice"),
                id=new_id("expense"), task_queue=task_queue,
            )  # fmt: skip
            await walk_happy_path(h, case)
            on_time.append(h)
        late = await env.client.start_workflow(
            case.run,
            case.make_input(run_context(task_queue, due=timedelta(seconds=2)), "alice"),
            id=new_id("expense"), task_queue=task_queue,
        )  # fmt: skip
        await wait_for_state(late, lambda s: any(t.escalated_to for t in s.open_tasks), "late")
        await walk_happy_path(late, case, first_actor="dev")
        for h in [*on_time, late]:
            await h.result()

        order = await start_order(env.client, task_queue, order_input(task_queue, {"OVEN-9": 1}))
        await wait_order(order, lambda v: v.shipment is not None, "the shipment")
        await asyncio.sleep(1.5)  # the carrier takes its time: shipping is the bottleneck
        await deliver(order)
        await pay(order)
        await order.result()
        await listed(
            env.client, f'TaskQueue="{task_queue}" AND ExecutionStatus="Completed"', at_least=12
        )  # 3 expenses, the order and its 8 stages

    settings = Settings(temporal_address=env.client.service_client.config.target_host)
    costs = {"manager_review": Decimal("10"), "payout": Decimal("1.50")}
    insight = await gather(settings, f'TaskQueue="{task_queue}"', page_size=2, costs=costs)
    report = insight.report()["workflow_types"]

    expense = report["ExpenseReimbursement"]
    assert (expense["runs"], expense["running"], expense["not_completed"]) == (3, 0, 0)
    assert expense["automation_share"] == 1 / 3  # two people, one system step per run
    assert expense["within_due_share"] == 2 / 3  # one of three escalated
    # Per run: two "assigned" notices, the payout, the outcome notice; the late run also
    # an escalation notice: 13 activities, and each run's payout needed a retry.
    assert expense["activity_retry_rate"] == 3 / 13
    assert expense["activity_error_rate"] == 0.0
    assert Decimal(expense["cost_per_transaction"]) == Decimal("11.5")  # 10 + 1.50
    steps = expense["steps"]
    assert list(steps) == ["manager_review", "finance_approval", "payout"]
    assert (steps["manager_review"]["performer"], steps["payout"]["performer"]) == (
        "human", "system",
    )  # fmt: skip
    assert steps["manager_review"]["escalations"] == 1
    assert steps["manager_review"]["completion_seconds"]["p90"] >= 2.0  # the late one
    assert steps["manager_review"]["completion_seconds"]["median"] < 2.0
    assert (steps["finance_approval"]["handoffs"], steps["payout"]["handoffs"]) == (3, 3)
    assert steps["finance_approval"]["handoff_delay_seconds"]["n"] == 3

    process = report["OrderToCash"]["process"]
    assert process["bottleneck"] == "shipping"
    assert process["stage_median_seconds"]["shipping"] >= 1.5
    assert len(process["stage_median_seconds"]) == 8
    assert report["OrderToCash"]["runs"] == 1

    page = tmp_path / "report.html"
    cli = cli_env(settings.temporal_address, task_queue, store.url)
    ran = await run_module("starters.report", "--hours", "1", "--process", "order-to-cash",
                           "--json", "--html", str(page), env=cli)  # fmt: skip
    assert ran.code == 0, ran
    assert json.loads(ran.out)["workflow_types"]["OrderToCash"]["process"]["bottleneck"]
    assert "<svg" in page.read_text()
    bad = await run_module("starters.report", "--cost", "payout", env=cli)
    assert bad.code == 2
    assert "--cost 'payout': expected STEP=AMOUNT" in bad.err


def test_ten_thousand_runs_fold_in_little_memory() -> None:
    """The report keeps figures, not histories: folding 10,000 runs (what paging through
    a large window hands it one by one) stays within a few megabytes."""
    start = datetime(2026, 11, 1, tzinfo=UTC)

    def run(i: int) -> RunFacts:
        steps = []
        t = start
        for name, performer, actor in (("review", "human", f"p{i % 7}"),
                                       ("book", "system", "system")):  # fmt: skip
            opened, t = t, t + timedelta(seconds=60 + i % 13)
            steps.append(
                {
                    "step": name,
                    "performer": performer,
                    "actor": actor,
                    "opened_at": opened.isoformat(),
                    "closed_at": t.isoformat(),
                    "reminders_sent": i % 2,
                    "escalated_to": None,
                    "timed_out": False,
                }
            )
        return RunFacts(
            f"w{i}", "Bench", "completed", start, t, {"steps": steps}, 4, 0, int(i % 5 == 0)
        )

    tracemalloc.start()
    insight = Insight()
    for i in range(10_000):
        insight.add(run(i))
    report = insight.report()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report["workflow_types"]["Bench"]["runs"] == 10_000
    assert report["workflow_types"]["Bench"]["automation_share"] == 0.5
    assert report["workflow_types"]["Bench"]["activity_retry_rate"] == 2_000 / 40_000
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
