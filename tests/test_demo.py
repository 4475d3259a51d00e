"""`make run MODE=auto`'s examples, launched through the starters and driven to the end
by the same code that acts as the people there."""

from __future__ import annotations

import asyncio
import functools
import os
from pathlib import Path

from starters.run import SUCCESS, launch_examples
from starters.services import start_workers, stop_workers
from starters.simulation.people import act_as_people
from tests.helpers import App, eventually
from tests.helpers.cli import cli_env
from tests.helpers.keys import SIGNERS
from valuechain.connection import Connection
from valuechain.runcontext import load_roster
from valuechain.settings import Settings


async def test_examples_run_to_completion(app: App, tmp_path: Path) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    address = env.client.service_client.config.target_host
    settings = Settings(
        temporal=Connection(address=address),
        approvals_queue=task_queue,
        notifications_queue=task_queue,
        orders_queue=task_queue,
        state_dir=tmp_path,
        database_url=store.url,
    )
    said: list[str] = []
    async with app.worker():
        ids = await launch_examples(settings, cli_env(address, task_queue, store.url))
        results = await act_as_people(
            env.client, [task_queue], ids, load_roster(), SIGNERS, said.append
        )

    assert sorted(ids) == [
        "demo-blog-1", "demo-document-1", "demo-expense-1", "demo-onboarding-1",
        "demo-order-1", "demo-timeoff-1",
    ]  # fmt: skip
    statuses = {workflow_id: result.status for workflow_id, result in results.items()}
    assert set(statuses.values()) <= SUCCESS
    assert len(statuses) == 6
    assert statuses["demo-order-1"] == "paid"
    assert statuses["demo-onboarding-1"] == "onboarded"
    assert any("paul decided schedule on demo-blog-1" in line for line in said)
    assert any("nina decided completed on demo-onboarding-1-training" in line for line in said)
    kinds = {b.kind for b in store.bookings()}
    assert {
        "payout",
        "archive",
        "publication",
        "time_off",
        "shipment",
        "payment",
        "accounts",
        "course_enrollment",
    } <= kinds


async def test_workers_stop_gracefully_on_ctrl_c(app: App, tmp_path: Path) -> None:
    """A Ctrl-C in the terminal goes to its whole foreground process group. `make run`'s
    workers are in a session of their own, so each gets one signal only, the SIGTERM it
    is stopped with, and drains (exit 0) rather than taking it as a second signal (exit 1)."""
    env, store, task_queue = app.env, app.store, app.task_queue
    address = env.client.service_client.config.target_host
    settings = Settings(temporal=Connection(address=address), approvals_queue=task_queue,
                        notifications_queue=task_queue, orders_queue=task_queue,
                        state_dir=tmp_path, database_url=store.url, metrics_port=0,
                        health_port=0)  # fmt: skip
    workers = await start_workers(settings, cli_env(address, task_queue, store.url))
    try:
        for w in workers:  # up and polling: a signal now finds the worker's handler
            log = functools.partial(asyncio.to_thread, w.log_path.read_text)
            await eventually(log, lambda text: "worker started" in text, w.name)
        ours = os.getpgid(0)
        assert [os.getpgid(w.proc.pid) == ours for w in workers] == [False] * len(workers)
    finally:
        await stop_workers(workers)
    assert {w.name: w.proc.returncode for w in workers} == {w.name: 0 for w in workers}
