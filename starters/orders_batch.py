"""Launch a batch of generated orders and drive them to the end, acting as carrier and
bank: python -m starters.orders_batch --count 50 --seed 7

The same seed generates the same orders. A progress bar shows how many have ended; the
summary counts them by outcome and gives the time taken and orders per second."""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from temporalio.client import Client, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from starters.common import fail
from starters.partners import settle
from valuechain.client import connect
from valuechain.logging import configure_logging
from valuechain.models.orders import OrderLine, OrderRequest, OrderToCashInput
from valuechain.process import run_command
from valuechain.rules import TableError
from valuechain.runcontext import build_context, load_named_table, o2c_settings
from valuechain.settings import Settings, SettingsError
from workflows.order_to_cash import OrderToCash

SKUS = ["KETTLE-2", "TOASTER-4", "OVEN-9"]
CUSTOMERS = ["C-ACME", "C-GLOBEX"]


def generate(count: int, seed: int, prefix: str) -> list[OrderRequest]:
    """`count` orders, the same for the same seed."""
    rng = random.Random(seed)
    orders = []
    for i in range(1, count + 1):
        skus = rng.sample(SKUS, rng.randint(1, len(SKUS)))
        orders.append(
            OrderRequest(
                order_id=f"{prefix}-{i:05d}",
                customer=rng.choice(CUSTOMERS),
                lines=[OrderLine(sku=sku, qty=rng.randint(1, 3)) for sku in skus],
                due_date=date.today() + timedelta(days=rng.randint(2, 40)),
            )
        )
    return orders


class Progress:
    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.tty = sys.stderr.isatty()
        self.shown = -1

    def step(self) -> None:
        self.done += 1
        width = 30
        filled = width * self.done // self.total
        line = f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} orders ended"
        tenth = 10 * self.done // self.total
        if self.tty:
            print(f"\r{line}", end="" if self.done < self.total else "\n", file=sys.stderr)
        elif tenth != self.shown:  # one line per tenth in logs
            self.shown = tenth
            print(line, file=sys.stderr, flush=True)


def outcome(result: Any) -> str:
    if isinstance(result, WorkflowFailureError):
        return "failed"
    if isinstance(result, BaseException):
        return "not settled"
    return str(result.status)


async def run_batch(
    client: Client, settings: Settings, orders: list[OrderRequest], concurrency: int
) -> Counter[str]:
    context = build_context(settings)
    table = load_named_table(settings, "shipment_mode")
    clocks = o2c_settings(settings)
    progress = Progress(len(orders))
    gate = asyncio.Semaphore(concurrency)
    outcomes: Counter[str] = Counter()

    async def one(order: OrderRequest) -> None:
        async with gate:
            try:
                await client.start_workflow(
                    OrderToCash.run,
                    OrderToCashInput(request=order, context=context, shipment_table=table,
                                     settings=clocks),
                    id=order.order_id, task_queue=settings.orders_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                )  # fmt: skip
            except WorkflowAlreadyStartedError:
                outcomes["already existed"] += 1
                progress.step()
                return
            try:
                result: Any = await settle(client, order.order_id)
            except Exception as err:  # one order's trouble must not stop the batch
                result = err
            outcomes[outcome(result)] += 1
            progress.step()

    await asyncio.gather(*(one(order) for order in orders))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Run a batch of generated orders to the end.")
    p.add_argument("--count", type=int, default=20, help="how many orders (default 20)")
    p.add_argument("--seed", type=int, default=1, help="the same seed, the same orders")
    p.add_argument("--prefix", help="order id prefix (default batch-<seed>)")
    p.add_argument("--concurrency", type=int, default=20, help="orders in flight at once")
    args = p.parse_args(argv)
    if not 1 <= args.count <= 100_000:
        fail("--count must be between 1 and 100000")
    if not 1 <= args.concurrency <= 1000:
        fail("--concurrency must be between 1 and 1000")
    try:
        settings = Settings.from_env()
        load_named_table(settings, "shipment_mode")
    except (SettingsError, TableError) as err:
        fail(str(err))
    configure_logging(settings.log_format, "WARNING")
    orders = generate(args.count, args.seed, args.prefix or f"batch-{args.seed}")

    async def go() -> Counter[str]:
        client = await connect(settings)
        return await run_batch(client, settings, orders, args.concurrency)

    started = time.monotonic()
    outcomes = asyncio.run(go())
    took = time.monotonic() - started
    print(f"{len(orders)} orders in {took:.1f}s ({len(orders) / took:.2f} orders/s)")
    for status, n in sorted(outcomes.items()):
        print(f"  {status}: {n}")
    compensated = outcomes["cancelled"]
    failed = outcomes["failed"] + outcomes["not settled"]
    print(f"completed {outcomes['paid']}, failed {failed}, compensated {compensated}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    run_command(main)
