"""A benchmark worker process: python -m tests.bench.worker <address> <task queue>
<database url>. Runs every bench workflow (A and B), their activity, the project's
notifier, and the project's order-to-cash; prints "ready" once polling. It connects by
Temporal's own settings (TEMPORAL_*, a profile with certificates on the cluster), the
address given overriding the profile's. BENCH_WITHOUT (comma-separated) switches A's
features off for measuring (`tests.bench.features`)."""

from __future__ import annotations

import asyncio
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from temporalio.client import Client
from temporalio.worker import Worker

from activities.notifier import NotifierActivities
from activities.order_to_cash import OrderActivities
from tests.bench.baseline.chain import ChainB
from tests.bench.baseline.fanout import FanOutB
from tests.bench.baseline.human import HumanB
from tests.bench.baseline.o2c import BaselineOrderToCash, BaselineStage
from tests.bench.features import switch_off
from tests.bench.mechanisms.chain import ChainA
from tests.bench.mechanisms.fanout import FanOutA
from tests.bench.mechanisms.human import HumanA
from tests.bench.models import BaselineActivities, BenchActivities
from valuechain.client import connect
from valuechain.process import exit_process
from valuechain.records.migrate import open_store
from valuechain.records.store import SystemOfRecord
from valuechain.settings import Settings
from workers.registry import ORDER_WORKFLOWS, WORKFLOW_INTERCEPTORS, workflow_runner

# A's and B's workflows, and the project's order-to-cash (A's), as one worker runs them.
WORKFLOWS: list[type] = [ChainA, FanOutA, HumanA, *ORDER_WORKFLOWS,
                         ChainB, FanOutB, HumanB, BaselineOrderToCash, BaselineStage]  # fmt: skip


def bench_worker(
    client: Client, task_queue: str, store: SystemOfRecord, settings: Settings
) -> Worker:
    """The worker of every bench workflow, A's and B's, with their activities, as the
    bench's worker processes (and its drivers' test) run it."""
    notices = NotifierActivities(store)
    return Worker(
        client,
        task_queue=task_queue,
        activity_executor=ThreadPoolExecutor(max_workers=settings.activity_threads),
        workflows=WORKFLOWS,
        activities=[BenchActivities().work, notices.notify, notices.record_notice,
                    *OrderActivities(store).all(), *BaselineActivities().all()],
        # As the project's workers run (VALUECHAIN_WORKFLOW_SANDBOX as they read it).
        interceptors=WORKFLOW_INTERCEPTORS,
        workflow_runner=workflow_runner(settings.workflow_sandbox),
    )  # fmt: skip


async def main(address: str, task_queue: str, database_url: str) -> None:
    settings = Settings.from_env({**os.environ, "TEMPORAL_ADDRESS": address})
    switch_off(f for f in os.environ.get("BENCH_WITHOUT", "").split(",") if f)
    client = await connect(settings)
    async with bench_worker(client, task_queue, open_store(database_url), settings):
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
    exit_process(0)
