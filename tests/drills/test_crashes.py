"""Drills with real processes: worker crashes during a batch of orders, and a dev
server restart during a batch of workflows with timers. Nothing is lost, nothing is
booked twice."""

from __future__ import annotations

import asyncio
import random
import signal
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from starters.simulation.partners import settle
from tests.helpers import App, open_task, run_context, start_in, wait_for_state, worker
from tests.helpers.cases import CASES
from tests.helpers.cli import free_port, spawn_worker
from tests.helpers.keys import PARTNER_KEY, signed
from tests.helpers.orders import FAST, order_input, seeded, start_order
from valuechain import search
from valuechain.cluster.binaries import find_temporal_cli
from valuechain.converter import DATA_CONVERTER
from valuechain.models.human import DecisionInput
from valuechain.records.store import SystemOfRecord
from workflows.human import HumanWorkflow

pytestmark = pytest.mark.slow


async def test_worker_killed_three_times_during_twenty_orders(app: App, tmp_path: Path) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    seeded(store)
    before = {sku: store.stock(sku) for sku in ("KETTLE-2", "TOASTER-4", "OVEN-9")}
    notices = f"{task_queue}-notices"
    env_vars = app.process_env(notifications_queue=notices)
    log = tmp_path / "workers.log"
    notifier = await spawn_worker("notifications", env_vars, log)
    orders_worker = await spawn_worker("orders", env_vars, log)
    rng = random.Random(20)
    kills = 0

    async def chaos() -> None:
        nonlocal orders_worker, kills
        for _ in range(3):
            await asyncio.sleep(rng.uniform(0.5, 2.5))  # a random moment, seeded
            orders_worker.send_signal(signal.SIGKILL)
            await orders_worker.wait()
            kills += 1
            orders_worker = await spawn_worker("orders", env_vars, log)

    try:
        handles = []
        for i in range(20):
            lines = {"KETTLE-2": 1 + i % 3, "TOASTER-4": 1} if i % 2 else {"OVEN-9": 1}
            inp = order_input(task_queue, lines, settings=FAST)
            inp = inp.model_copy(update={"context": run_context(notices)})
            handles.append(await start_order(env.client, task_queue, inp))
        chaos_task = asyncio.create_task(chaos())
        results = await asyncio.gather(*(settle(env.client, h.id, PARTNER_KEY) for h in handles))
        await chaos_task
    finally:
        for proc in (notifier, orders_worker):
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                await proc.wait()

    assert kills == 3
    assert [getattr(r, "status", r) for r in results] == ["paid"] * 20
    for h in handles:
        per_order = Counter(b.kind for b in store.bookings(subject=h.id))
        assert per_order["shipment"] == 1, h.id
        assert per_order["packing"] == 1, h.id
    assert len(store.bookings("invoice")) == 20
    assert len(store.bookings("payment")) == 20
    shipped: Counter[str] = Counter()
    for b in store.bookings("shipment"):
        shipped.update(b.payload["lines"])
    for sku, (on_hand, _) in before.items():
        assert store.stock(sku) == (on_hand - shipped[sku], 0), sku


async def test_server_restart_during_a_batch(
    store: SystemOfRecord, task_queue: str, tmp_path: Path
) -> None:
    """A dev server with a database file stops and starts again mid-batch: every
    workflow resumes and completes, its durable timers included."""
    seeded(store)
    path = find_temporal_cli()
    port = free_port()

    async def server() -> WorkflowEnvironment:
        return await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(path) if path else None,
            data_converter=DATA_CONVERTER, search_attributes=search.ALL, port=port,
            dev_server_database_filename=str(tmp_path / "temporal.db"),
            dev_server_startup_timeout=timedelta(seconds=120),
        )  # fmt: skip

    timeoff = CASES[3]
    clocks = run_context(task_queue, due=timedelta(seconds=4))  # escalation timers
    lead = FAST.model_copy(update={"production_lead_time": timedelta(seconds=4)})
    env = await server()
    async with worker(env.client, task_queue, store):
        requests = []
        for i in range(5):  # different days: the same days twice is an overlap, refused
            inp = timeoff.make_input(clocks, "alice")
            day = date(2027, 2, 1) + timedelta(days=7 * i)
            inp = inp.model_copy(
                update={
                    "request": inp.request.model_copy(  # type: ignore[attr-defined]
                        update={"first_day": day, "last_day": day}
                    )
                }
            )
            requests.append(await start_in(env.client, timeoff.run, inp, task_queue, "timeoff"))
        orders = [await start_order(env.client, task_queue,
                                    order_input(task_queue, {"FRIDGE-X": 1}, settings=lead))
                  for _ in range(3)]  # fmt: skip
        for h in requests:
            await open_task(h, timeoff.first_step)
    await env.shutdown()  # the server goes away with every timer pending

    env = await server()  # same database file, same port
    try:
        async with worker(env.client, task_queue, store):
            for h in requests:
                handle = env.client.get_workflow_handle(h.id)
                state = await wait_for_state(
                    handle, lambda s: any(t.escalated_to for t in s.open_tasks), "escalation"
                )  # the due-time timer fired after the restart
                task = state.open_tasks[0]
                await handle.execute_update(HumanWorkflow.decide, signed(handle.id, DecisionInput(
                    task_id=task.task_id, actor="dev", decision="approve")))  # fmt: skip
            finished = [await env.client.get_workflow_handle(h.id).result() for h in requests]
            settled = await asyncio.gather(*(settle(env.client, h.id, PARTNER_KEY) for h in orders))
    finally:
        await env.shutdown()
    assert [r["status"] for r in finished] == ["recorded"] * 5
    assert all(r["steps"][0]["escalated_to"] == "director" for r in finished)
    assert [getattr(r, "status", r) for r in settled] == ["paid"] * 3
    assert len(store.bookings("production_receipt")) == 3  # the lead-time timers fired
