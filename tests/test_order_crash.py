"""A worker process killed (SIGKILL) in the middle of an order: a new worker picks the
chain up where it was, the order completes, and nothing is booked twice. The new one
runs its workflows without Temporal's sandbox (VALUECHAIN_WORKFLOW_SANDBOX=false): what
a run does does not depend on it."""

from __future__ import annotations

import json
import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path

from tests.helpers import App, run_context, wait_for_state
from tests.helpers.cli import spawn_worker
from tests.helpers.orders import FAST, order_input, seeded, settle, start_order


async def test_worker_killed_mid_chain(app: App, tmp_path: Path) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    seeded(store)
    notices = f"{task_queue}-notices"
    env_vars = app.process_env(notifications_queue=notices)
    log = tmp_path / "workers.log"
    notifier = await spawn_worker("notifications", env_vars, log)
    first = await spawn_worker("orders", env_vars, log)
    second = None
    try:
        clocks = FAST.model_copy(update={"production_lead_time": timedelta(seconds=3)})
        inp = order_input(task_queue, {"KETTLE-2": 4, "FRIDGE-X": 1}, settings=clocks)
        inp = inp.model_copy(update={"context": run_context(notices)})
        h = await start_order(env.client, task_queue, inp)
        stock = env.client.get_workflow_handle(f"{h.id}-stock_check")
        await wait_for_state(stock, lambda s: s.stage == "in_production", "production")

        first.send_signal(signal.SIGKILL)  # no goodbye: the worker just vanishes
        assert await first.wait() == -signal.SIGKILL
        unsandboxed = {**env_vars, "VALUECHAIN_WORKFLOW_SANDBOX": "false"}
        second = await spawn_worker("orders", unsandboxed, log)

        result = await settle(h)
    finally:
        for proc in (notifier, first, second):
            if proc is not None and proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                await proc.wait()

    assert result.status == "paid"
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    started = [line for line in lines if line["event"] == "worker started"]
    sandbox = [line["workflow_sandbox"] for line in started if line["worker"] == "orders"]
    assert sandbox == [True, False]
    booked = Counter(b.kind for b in store.bookings())
    assert booked == Counter(
        {
            "reservation": 2,
            "production_order": 1,
            "production_receipt": 1,
            "packing": 1,
            "shipment": 1,
            "invoice": 1,
            "payment": 1,
        }
    )
    # A booking's log line names the step of the run that booked it, as the run's own do.
    steps = {
        (line["event"].split()[0], line["step"]) for line in lines if " booked as " in line["event"]
    }
    assert steps == {
        ("reservation", "reserve"),
        ("production_order", "produce"),
        ("production_receipt", "receive"),
        ("packing", "pack"),
        ("shipment", "ship"),
        ("invoice", "invoice"),
        ("payment", "payment"),
    }
    assert store.stock("KETTLE-2") == (496, 0)
    assert store.stock("FRIDGE-X") == (0, 0)
