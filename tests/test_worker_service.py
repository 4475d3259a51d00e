"""Worker services: a graceful stop that loses no work, a second signal that stops at
once, and the metrics and health endpoints a deployment scrapes."""

from __future__ import annotations

import asyncio
import json
import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.notifier import NotifierActivities
from tests.helpers import ACTIVITY_THREADS, WAIT_LIMIT, App, decide, run_context
from tests.helpers.cases import CASES, start_case
from tests.helpers.cli import cli_env, free_port, spawn, spawn_worker
from valuechain.records.store import SystemOfRecord


async def until_logged(log: Path, text: str) -> None:
    """Wait for a worker to log `text` (it is in another process: its log is all we see)."""
    deadline = asyncio.get_running_loop().time() + WAIT_LIMIT
    while text not in await asyncio.to_thread(log.read_text):
        assert asyncio.get_running_loop().time() < deadline, f"never logged {text!r}"
        await asyncio.sleep(0.1)


async def get(url: str) -> tuple[int, str]:
    def fetch() -> tuple[int, str]:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    return await asyncio.to_thread(fetch)


def slow_worker_env(
    env: WorkflowEnvironment, store: SystemOfRecord, task_queue: str, grace: int, payout: int
) -> dict[str, str]:
    """The slow approvals worker's settings: its grace on stopping, its payout's seconds;
    notices on a queue of their own (`<task_queue>-notices`)."""
    return cli_env(env.client.service_client.config.target_host, task_queue, store.url,
                   notifications_queue=f"{task_queue}-notices",
                   VALUECHAIN_SHUTDOWN_GRACE_SECONDS=str(grace),
                   SLOW_PAYOUT_SECONDS=str(payout))  # fmt: skip


async def expense_at_payout(env: WorkflowEnvironment, task_queue: str, notices: str) -> Any:
    case = CASES[0]
    handle: WorkflowHandle[Any, Any] = await start_case(
        env.client, case, task_queue, run_context(notices)
    )
    for step in case.happy_path:
        await decide(handle, step.step, step.actor, step.decision, **step.fields)
    return handle


async def test_sigterm_mid_activity_loses_no_work(app: App, tmp_path: Path) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    notices = f"{task_queue}-notices"
    env_vars = slow_worker_env(env, store, task_queue, grace=30, payout=3)
    log = tmp_path / "worker.log"
    notifier = await spawn_worker("notifications", env_vars, tmp_path / "notices.log")
    slow = await spawn("tests.helpers.slow_worker", env_vars, log)
    try:
        handle = await expense_at_payout(env, task_queue, notices)
        await until_logged(log, "slow payout started")
        slow.send_signal(signal.SIGTERM)  # mid-payout
        # The stopping worker finishes the payout; a fresh one carries the workflow on.
        async with app.worker():
            assert await asyncio.wait_for(slow.wait(), timeout=WAIT_LIMIT) == 0
            result = await handle.result()
    finally:
        for proc in (slow, notifier):
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                await proc.wait()
    text = log.read_text()
    assert text.count("slow payout started") == 1  # finished, not cut off and retried
    assert "payout booked as" in text
    assert "worker stopped" in text
    assert result.status == "paid"
    assert [b.kind for b in store.bookings()] == ["payout"]


async def test_a_second_signal_stops_at_once(app: App, tmp_path: Path) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    notices = f"{task_queue}-notices"
    env_vars = slow_worker_env(env, store, task_queue, grace=60, payout=60)
    log = tmp_path / "worker.log"
    slow = await spawn("tests.helpers.slow_worker", env_vars, log)
    notifier = Worker(env.client, task_queue=notices, activity_executor=ACTIVITY_THREADS,
                      activities=[NotifierActivities(store).notify])  # fmt: skip
    try:
        async with notifier:
            await expense_at_payout(env, task_queue, notices)
            await until_logged(log, "slow payout started")
        slow.send_signal(signal.SIGTERM)
        await until_logged(log, "stopping gracefully")
        slow.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(slow.wait(), timeout=10)  # not the 60 s grace
    finally:
        if slow.returncode is None:
            slow.kill()
            await slow.wait()
    assert code == 1
    assert "second signal: stopping at once" in log.read_text()


async def test_metrics_and_health_endpoints(app: App, tmp_path: Path) -> None:
    task_queue = app.task_queue
    metrics, health = free_port(), free_port()
    env_vars = app.process_env(
        VALUECHAIN_METRICS_PORT=str(metrics),
        VALUECHAIN_HEALTH_PORT=str(health),
    )
    log = tmp_path / "worker.log"
    proc = await spawn_worker("orders", env_vars, log)
    try:
        await until_logged(log, "worker started")
        code, body = await get(f"http://127.0.0.1:{health}/health")
        assert code == 200, body
        assert json.loads(body) == {"worker": "orders", "task_queue": task_queue,
                                    "connected": True, "polling": True}  # fmt: skip
        code, text = await get(f"http://127.0.0.1:{metrics}/metrics")
        assert code == 200
        names = {line.split("{")[0].split(" ")[0] for line in text.splitlines()
                 if line.startswith("temporal_")}  # fmt: skip
        assert any(name.startswith("temporal_worker_task_slots") for name in names), names
        missing, _ = await get(f"http://127.0.0.1:{health}/nope")
        assert missing == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await proc.wait() == 0


async def test_json_flag_makes_every_log_line_json(app: App, tmp_path: Path) -> None:
    """`valuechain worker orders --json` logs JSON whatever VALUECHAIN_LOG_FORMAT says."""
    env_vars = app.process_env()
    env_vars["VALUECHAIN_LOG_FORMAT"] = "console"
    log = tmp_path / "worker.log"
    proc = await spawn("starters", env_vars, log, ["worker", "orders", "--json"])
    try:
        await until_logged(log, "worker started")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), timeout=30) == 0
    started = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(line["event"] == "worker started" for line in started), started
