"""Failure drills on the cluster's own processes: during a batch of 30 orders with durable
timers pending (production lead times), one history instance is SIGKILLed (its shards
move to the other; it comes back later), the matching service restarts, the frontend
restarts, PostgreSQL restarts. After each, every order completes within a deadline,
every booking happens exactly once, and stock is exact."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from temporalio.client import Client

from starters.orders import SKUS, generate, run_batch
from tests.helpers import eventually
from tests.helpers.cli import running_workers
from tests.helpers.cluster import envs
from tests.helpers.keys import PARTNER_KEY
from valuechain.cluster.topology import Cluster
from valuechain.records.store import SystemOfRecord

pytestmark = pytest.mark.cluster

ORDERS = 30
DEADLINE = 240.0  # seconds for the whole batch to end, the disruption included
Progress = Callable[[int], Awaitable[None]]  # wait until this many more orders are paid


async def kill_a_history_instance(cluster: Cluster, progress: Progress) -> None:
    await cluster.kill("history-1")  # its shards move to history-2
    await progress(5)
    await cluster.start_service("history-1")  # and are shared again


async def restart_matching(cluster: Cluster, _: Progress) -> None:
    await cluster.restart_service("matching")


async def restart_the_frontend(cluster: Cluster, _: Progress) -> None:
    await cluster.restart_service("frontend")


async def restart_postgresql(cluster: Cluster, _: Progress) -> None:
    await cluster.restart_postgres()


DRILLS = {
    "history-killed": kill_a_history_instance,
    "matching-restarted": restart_matching,
    "frontend-restarted": restart_the_frontend,
    "postgres-restarted": restart_postgresql,
}


@pytest.mark.parametrize("drill", list(DRILLS))
async def test_orders_complete_through_a_server_failure(
    drill: str,
    cluster: Cluster,
    client: Client,
    records: SystemOfRecord,
    task_queue: str,
    tmp_path: Path,
) -> None:
    worker_env, command_env = envs(
        cluster, task_queue, records, tmp_path, VALUECHAIN_PRODUCTION_LEAD_SECONDS="5"
    )
    settings = cluster.client_settings("commands", **command_env)
    before = {sku: await asyncio.to_thread(records.stock, sku) for sku in SKUS}
    orders = generate(ORDERS, seed=len(drill), prefix=f"{task_queue}-{drill}")

    def paid() -> int:
        return len(records.bookings("payment"))

    async def progress(more: int) -> None:
        start = await asyncio.to_thread(paid)
        await eventually(
            lambda: asyncio.to_thread(paid),
            lambda n: n >= start + more,
            f"{more} more orders paid",
            within=DEADLINE / 2,  # a killed instance's shards move after a failure detection
        )

    async with running_workers(["orders", "notifications"], worker_env, tmp_path, copies=2):
        batch = asyncio.create_task(run_batch(client, settings, orders, ORDERS, PARTNER_KEY))
        # Durable timers pending: orders short of ovens wait out their production lead time.
        await eventually(
            lambda: asyncio.to_thread(records.bookings, "production_order"),
            lambda made: len(made) >= 3,
            "orders waiting on production",
        )
        await DRILLS[drill](cluster, progress)
        outcomes = await asyncio.wait_for(batch, DEADLINE)

    assert outcomes == Counter(paid=ORDERS)
    # Exactly once, per order: one packing, one shipment, one invoice, one payment, and
    # one reservation per line.
    for kind in ("packing", "shipment"):
        booked = Counter(b.subject for b in records.bookings(kind))
        assert booked == Counter({o.order_id: 1 for o in orders}), kind
    for kind in ("invoice", "payment"):
        booked = Counter(b.payload["order"] for b in records.bookings(kind))
        assert booked == Counter({o.order_id: 1 for o in orders}), kind
    assert len(records.bookings("reservation")) == sum(len(o.lines) for o in orders)
    # Stock is exact: what came from production, less what shipped; nothing left reserved.
    received: Counter[str] = Counter()
    for b in records.bookings("production_receipt"):
        received[b.payload["sku"]] += b.payload["qty"]
    shipped: Counter[str] = Counter()
    for b in records.bookings("shipment"):
        shipped.update(b.payload["lines"])
    assert received, "no order waited on production: the drill had no timers pending"
    for sku, (on_hand, reserved) in before.items():
        expected = (on_hand + received[sku] - shipped[sku], reserved)
        assert await asyncio.to_thread(records.stock, sku) == expected, sku
