"""The process-insight report, on a known set of runs: every figure it gives is checked
against what those runs are known to have done."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError

from activities.bookings import BookingActivities
from starters.report import STEP_COLUMNS
from tests.helpers import LONG, App, listed, on_a_retry, run_context, stand_in, wait_for_state
from tests.helpers.cases import CASES, walk_happy_path
from tests.helpers.cli import cli_env, run_cli
from tests.helpers.orders import deliver, pay, seeded, shipped_order
from valuechain.connection import Connection
from valuechain.costs import load_costs
from valuechain.insight import gather
from valuechain.models.common import NoticeDelivery
from valuechain.settings import Settings

COSTS = """
currency = "EUR"
[steps]
manager_review = "10"
payout = "1.50"
pack = "6.50"
[types.Shipping]
ship = "20"
"""


@pytest.mark.parametrize("notices", ["local", "queue"])
async def test_report_on_a_known_set_of_runs(
    app: App, tmp_path: Path, notices: NoticeDelivery
) -> None:
    """Five expenses (two on time, one escalated, one whose payout fails for good, one
    still waiting on finance), each payout retried once; one order whose shipping is
    the bottleneck. Every figure is what these runs are known to have done, the same
    whether their notices are local activities or activities on the queue."""
    env, store, task_queue = app.env, app.store, app.task_queue
    seeded(store)
    case = CASES[0]  # expense: manager, finance, payout
    real = BookingActivities(store).pay_expense

    bank_down_for: set[str] = set()

    async def payout_retried_once(arg: Any) -> Any:
        if activity.info().attempt == 1 or arg.payee_account in bank_down_for:
            raise ConnectionError("bank busy")
        return await asyncio.to_thread(real, arg)

    def start(due: timedelta = LONG, remind: timedelta = LONG, attempts: int = 5) -> Any:
        ctx = run_context(
            task_queue, due=due, remind=remind, max_attempts=attempts, notices=notices
        )
        inp = case.make_input(ctx, "alice")
        return inp, app.start(case.run, inp, "expense")

    settings = Settings(temporal=Connection(address=env.client.service_client.config.target_host))
    costs_file = tmp_path / "costs.toml"
    costs_file.write_text(COSTS)
    costs = load_costs(settings, str(costs_file))
    cli = cli_env(settings.temporal_address, task_queue, store.url)
    where = f'TaskQueue="{task_queue}"'
    replace = {"pay_expense": stand_in("pay_expense", real, payout_retried_once)}
    async with app.worker(replace):
        done = []
        for _ in range(2):
            h = await start()[1]
            await walk_happy_path(h, case)
            done.append(h)
        late = await start(due=timedelta(seconds=2), remind=timedelta(seconds=1))[1]
        await wait_for_state(late, lambda s: any(t.escalated_to for t in s.open_tasks), "late")
        await walk_happy_path(late, case, first_actor="dev")
        blocked_input, blocked_start = start()
        assert case.arrange_permanent_failure is not None
        case.arrange_permanent_failure(store, "alice", blocked_input)
        blocked = await blocked_start
        await walk_happy_path(blocked, case)
        waiting = await start()[1]
        await walk_happy_path(waiting, dataclasses.replace(case, happy_path=case.happy_path[:1]))
        await wait_for_state(waiting, lambda s: bool(s.open_tasks), "finance's task")
        stuck_input, stuck_start = start(attempts=0)  # its bank stays down: retried on
        bank_down_for.add(stuck_input.request.payee_account)
        stuck = await stuck_start
        await walk_happy_path(stuck, case)
        await on_a_retry(stuck, "the stuck payout")
        completed = [await h.result() for h in [*done, late]]
        with pytest.raises(WorkflowFailureError):
            await blocked.result()

        order, _ = await shipped_order(app, {"OVEN-9": 1})
        await asyncio.sleep(1.5)  # the carrier takes its time: shipping is the bottleneck
        await deliver(order)
        await pay(order)
        await order.result()
        # 4 expenses, the order and its 8 stages
        await listed(env.client, f'{where} AND ExecutionStatus!="Running"', at_least=13)
        report = (await gather(settings, where, page_size=2, costs=costs)).report().model_dump()
        by_type = report["workflow_types"]

        page = tmp_path / "report.html"
        ran = await run_cli("report", "--hours", "1", "--process", "order-to-cash",
                               "--where", where, "--costs", str(costs_file), "--json",
                               "--html", str(page), env=cli)  # fmt: skip
        assert ran.code == 0, ran
        by_cli = json.loads(ran.out)["workflow_types"]
        assert by_cli["OrderToCash"]["cost_per_transaction"] == "26.50"  # its stages' steps
        assert by_cli["Shipping"]["runs"] == 1  # the stages are read with their process
        chart = page.read_text()
        assert "<svg" in chart
        assert "shipping" in chart
        shown = await run_cli("report", "--type", "ExpenseReimbursement",
                                 "--where", where, "--costs", str(costs_file), env=cli)  # fmt: skip
        assert shown.code == 0, shown
        assert "read 6 workflows in" in shown.err
        rows = {line.split()[0]: line.split() for line in shown.out.splitlines()[2:]}
        header = shown.out.splitlines()[1]
        assert [header.index(c) for c in STEP_COLUMNS] == sorted(
            header.index(c) for c in STEP_COLUMNS
        )
        # payout: by the system; 6 activities, 17% errors, 83% retried, 1 on a retry now
        assert rows["payout"][1] == "system"
        assert rows["payout"][-5:] == ["6", "17%", "83%", "1", "1.50"]
        # finance_approval: one task open now, with its waiting time; not priced
        assert rows["finance_approval"][-3:-1] == ["0%", "1"]

    assert report["currency"] == "EUR"
    expense = by_type["ExpenseReimbursement"]
    # The late run was reminded every second until decided: its result says how often,
    # and each reminder is a notice, an activity of its step.
    reminded = sum(s.reminders_sent for r in completed for s in r.steps)
    assert (expense["runs"], expense["running"], expense["not_completed"]) == (6, 2, 1)
    assert expense["steps_unread"] == 0  # the failed and the running runs told their state
    # Steps: 3 completed runs x (2 people + payout), the failed and the stuck run's 2
    # people each, the waiting run's manager: 3 of 14 by the system.
    assert expense["automation_share"] == 3 / 14
    assert expense["within_due_share"] == 2 / 3  # of the completed: one escalated
    # Activities: per completed run 2 "assigned" notices, the payout, the outcome notice,
    # the late run an escalation notice too; the failed run 2 notices, the payout and its
    # failure notice; the waiting run 2 notices; the stuck run 2 notices and its payout,
    # on a retry now; the reminders. 22 and those; five payouts were retried.
    activities = 22 + reminded
    assert (expense["activities"], expense["activity_retry_rate"]) == (activities, 5 / activities)
    assert expense["activity_error_rate"] == 1 / activities
    assert expense["activities_retrying_now"] == 1
    assert expense["cost_per_transaction"] == "11.50"  # 10 + 1.50, completed runs only
    steps = expense["steps"]
    assert list(steps) == ["manager_review", "finance_approval", "payout", "finish"]
    payout = steps["payout"]
    assert (payout["performer"], payout["activities"]) == ("system", 6)  # 5 + failure notice
    assert (payout["activity_error_rate"], payout["activity_retry_rate"]) == (1 / 6, 5 / 6)
    assert payout["activities_retrying_now"] == 1
    assert (payout["handoffs"], payout["cost"]) == (3, "1.50")
    review = steps["manager_review"]
    assert (review["performer"], review["escalations"]) == ("human", 1)
    assert review["activities"] == 7 + reminded
    assert review["completion_seconds"]["n"] == 6
    assert review["completion_seconds"]["p90"] >= 2.0  # the late one
    assert review["completion_seconds"]["median"] < 2.0
    assert review["reminders"] == reminded >= 2
    assert expense["cycle_seconds"]["n"] == 3  # completed runs only
    assert expense["cycle_seconds"]["p90"] >= 2.0 > expense["cycle_seconds"]["median"]
    assert review["activity_retry_rate"] == 0.0
    finance = steps["finance_approval"]
    assert (finance["handoffs"], finance["handoff_delay_seconds"]["n"]) == (5, 5)
    assert (finance["open_now"], finance["open_waiting_seconds"]["n"]) == (1, 1)
    assert finance["cost"] is None
    assert (steps["finish"]["performer"], steps["finish"]["activities"]) == ("-", 3)

    o2c = by_type["OrderToCash"]
    assert o2c["runs"] == 1
    assert o2c["process"]["bottleneck"] == "shipping"
    end_to_end = o2c["process"]["end_to_end_seconds"]
    assert end_to_end["n"] == 1
    assert end_to_end["median"] >= sum(o2c["process"]["stage_median_seconds"].values())
    assert o2c["process"]["stage_median_seconds"]["shipping"] >= 1.5
    assert len(o2c["process"]["stage_median_seconds"]) == 8
    assert o2c["automation_share"] is None  # no step of its own: its stages have them
    assert o2c["process"]["automation_share"] == 1.0  # no person was needed on this order
    assert o2c["cost_per_transaction"] == "26.50"  # pack 6.50 + ship 20 (Shipping's price)
    assert by_type["PickPack"]["cost_per_transaction"] == "6.50"
    # Each stage is read once: listed in the window and started by the order.
    assert all(by_type[t]["runs"] == 1 for t in ("OrderEntry", "Shipping", "Collection"))

    # With no worker to ask, the runs without a result are counted, their steps not read.
    since = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    ran = await run_cli("report", "--since", since, "--type", "ExpenseReimbursement",
                           "--where", where, "--query-timeout", "1", "--json", env=cli)  # fmt: skip
    assert ran.code == 0, ran
    unread = json.loads(ran.out)["workflow_types"]["ExpenseReimbursement"]
    assert (unread["runs"], unread["steps_unread"]) == (6, 3)
    assert f"task queue {task_queue}: no worker answered" in ran.err
    bad = await run_cli("report", "--where", "TaskQueue ==", env=cli)
    assert bad.code == 2, bad
    assert "--where 'TaskQueue ==': the server refused the filter" in bad.err
    for h in (waiting, stuck):
        await h.terminate("the test is over")


async def test_report_refuses_bad_input(tmp_path: Path) -> None:
    """Every bad flag or costs file is named, and the command exits 2 before it reads
    anything (the address here has no server: nothing may be asked of it)."""
    nowhere = cli_env("127.0.0.1:1", "nowhere", "sqlite://")
    bad_costs = tmp_path / "costs.toml"
    bad_costs.write_text('[steps]\npayout = "-1"\n[types.Nope]\nship = "2"\n')
    unknown_type = tmp_path / "types.toml"
    unknown_type.write_text('[types.Nope]\nship = "2"\n')
    cases = {
        ("--cost", "payout"): "--cost 'payout': expected STEP=AMOUNT",
        ("--cost", "payout=-2"): "--cost 'payout=-2': expected STEP=AMOUNT",
        ("--hours", "0"): "--hours must be more than 0",
        ("--since", "yesterday"): "Invalid value for --since",
        ("--since", "2026-11-01T00:00:00"): "--since '2026-11-01T00:00:00': needs a time zone",
        (
            "--since",
            "2026-11-02T00:00:00Z",
            "--until",
            "2026-11-01T00:00:00Z",
        ): "--until 2026-11-01T00:00:00+00:00 must be after",
        ("--page-size", "0"): "--page-size must be between 1 and 1000",
        ("--type", "Expense"): "--type 'Expense' is not a workflow type; known: AccessSetup",
        ("--costs", str(bad_costs)): "steps.payout: Input should be greater than or equal to 0",
        ("--costs", str(unknown_type)): "types.Nope is not a workflow type",
        ("--costs", str(tmp_path / "none.toml")): "costs file",
    }
    for args, message in cases.items():
        ran = await run_cli("report", *args, env=nowhere)
        assert ran.code == 2, (args, ran)
        assert message in ran.err, (args, ran.err)
