"""What a benchmark scenario does: its drivers start workflows and act on them as a
user's client would (A's through the project's mechanisms, B's through the baseline), and
return each workflow's latency."""

from __future__ import annotations

import asyncio
import functools
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from temporalio.client import Client, WorkflowHandle

from activities.seed import seed_demo_data
from starters.simulation.partners import signed_event, waits_for_delivery, waits_for_payment
from tests.bench.baseline.chain import ChainB
from tests.bench.baseline.fanout import FanOutB
from tests.bench.baseline.human import HumanB
from tests.bench.baseline.o2c import BaselineOrderToCash
from tests.bench.mechanisms.chain import ChainA
from tests.bench.mechanisms.fanout import FanOutA
from tests.bench.mechanisms.human import HumanA
from tests.bench.models import BenchInput, Decision
from tests.helpers import run_context
from tests.helpers.keys import PARTNER_KEY, signed
from tests.helpers.orders import SHIPMENT_TABLE
from valuechain.models.common import RunContext
from valuechain.models.human import DecisionInput
from valuechain.models.orders import (
    DeliveryInput,
    O2CSettings,
    OrderLine,
    OrderRequest,
    OrderToCashInput,
    PaymentInput,
)
from valuechain.records.store import SystemOfRecord
from valuechain.settings import Settings
from workflows.human import HumanWorkflow
from workflows.order_to_cash.process import OrderToCash

ORDER_POLL = 0.05  # seconds between an order driver's queries, A's and B's alike
BENCH_SKU = "BENCH-KETTLE"  # what A's orders buy: stock for any run (`seed_bench_data`)

Driver = Callable[[Client, str, str], Awaitable[float]]  # returns one workflow's latency


@functools.cache
def bench_settings() -> Settings:
    """Read once, not at every workflow a driver starts: the settings the workers and
    this process share (the sandbox, how notices go)."""
    return Settings.from_env(os.environ)


def bench_context(task_queue: str) -> RunContext:
    """The tests' run context, notices sent as VALUECHAIN_NOTICE_DELIVERY says (as the
    settings give every run started from a starter)."""
    return run_context(task_queue, notices=bench_settings().notice_delivery)


def workflow_driver(workflow: Any, steps: int) -> Driver:
    async def one(client: Client, task_queue: str, wid: str) -> float:
        started = time.perf_counter()
        inp = BenchInput(steps=steps, context=bench_context(task_queue))
        await client.execute_workflow(workflow, inp, id=wid, task_queue=task_queue)
        return time.perf_counter() - started

    return one


async def approve(handle: WorkflowHandle[Any, Any], task_id: str) -> None:
    """maria approves, through the task list (signed)."""
    decision = DecisionInput(task_id=task_id, actor="maria", decision="approve")
    await handle.execute_update(HumanWorkflow.decide, signed(handle.id, decision))


def human_driver(variant: str) -> Driver:
    """Latency here is the round trip: a decision sent to the next step started."""

    async def one(client: Client, task_queue: str, wid: str) -> float:
        inp = BenchInput(steps=2, context=bench_context(task_queue))
        if variant == "A":
            h = await client.start_workflow(HumanA.run, inp, id=wid, task_queue=task_queue)
            first = await wait_for(lambda: h.query(HumanWorkflow.state),
                                   lambda s: bool(s.open_tasks))  # fmt: skip
            sent = time.time()
            await approve(h, first.open_tasks[0].task_id)
            second = await wait_for(lambda: h.query(HumanWorkflow.state),
                                    lambda s: s.current_step == "second")  # fmt: skip
            opened = second.open_tasks[0].opened_at.timestamp()
            await approve(h, second.open_tasks[0].task_id)
        else:
            hb = await client.start_workflow(HumanB.run, inp, id=wid, task_queue=task_queue)
            await wait_for(lambda: hb.query(HumanB.opened_at), lambda o: "first" in o)
            sent = time.time()
            await hb.execute_update(HumanB.decide, Decision(step="first"))
            opened_at = await wait_for(lambda: hb.query(HumanB.opened_at),
                                       lambda o: "second" in o)  # fmt: skip
            opened = opened_at["second"]
            await hb.execute_update(HumanB.decide, Decision(step="second"))
        return max(0.0, opened - sent)

    return one


def seed_bench_data(store: SystemOfRecord) -> None:
    """The demo data, and a product every order of a run can reserve: with the demo's
    500 kettles, a features run's later orders (750 of A's) went short, each through
    production (three more activities and a timer) where B's did the same work as ever."""
    seed_demo_data(store)
    store.add_product(BENCH_SKU, "Bench kettle", Decimal("49.90"), Decimal("1.2"), 10**9)


def o2c_driver(variant: str) -> Driver:
    """Latency here is an order's whole life. A's and B's drivers wait alike: the same
    query polled at the same pace, the event sent as soon as the order waits for it (a
    partner's system looking every half second, as `settle` does, added up to 0.75 s an
    order to A's latency and spared A's worker the queries B's answered)."""
    settings = O2CSettings(production_lead_time=timedelta(0))

    async def one(client: Client, task_queue: str, wid: str) -> float:
        started = time.perf_counter()
        if variant == "A":
            request = OrderRequest(order_id=wid, customer="C-ACME",
                                   lines=[OrderLine(sku=BENCH_SKU, qty=1)],
                                   due_date=date.today() + timedelta(days=30))  # fmt: skip
            h = await client.start_workflow(
                OrderToCash.run,
                OrderToCashInput(request=request, context=bench_context(task_queue),
                                 shipment_table=SHIPMENT_TABLE, settings=settings),
                id=wid, task_queue=task_queue,
            )  # fmt: skip
            view = await wait_for(
                lambda: h.query(OrderToCash.order), waits_for_delivery, ORDER_POLL
            )
            delivery = DeliveryInput(shipment=view.shipment, signed_by="bench carrier")
            await h.execute_update(OrderToCash.shipment_delivered, signed_event(
                PARTNER_KEY, wid, "shipment_delivered", delivery))  # fmt: skip
            view = await wait_for(lambda: h.query(OrderToCash.order), waits_for_payment, ORDER_POLL)
            payment = PaymentInput(payment_id=f"{wid}-pay", amount=view.outstanding)
            await h.execute_update(OrderToCash.payment_received, signed_event(
                PARTNER_KEY, wid, "payment_received", payment))  # fmt: skip
            result = await h.result()
            assert result.status == "paid", result
        else:
            hb = await client.start_workflow(BaselineOrderToCash.run, wid, id=wid,
                                             task_queue=task_queue)  # fmt: skip
            for event, stage in (("delivered", "shipping"), ("paid", "collection")):

                def at(current: str, stage: str = stage) -> bool:
                    return current == stage

                await wait_for(lambda: hb.query(BaselineOrderToCash.current), at, ORDER_POLL)
                await hb.execute_update(BaselineOrderToCash.event, event)
            await hb.result()
        return time.perf_counter() - started

    return one


async def wait_for(
    get: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool], every: float = 0.01
) -> Any:
    """Poll a query as a user's client would: the only view into a running workflow."""
    for _ in range(int(30 / every)):
        value = await get()
        if ok(value):
            return value
        await asyncio.sleep(every)
    raise TimeoutError("the workflow never reached the expected state")


@dataclass
class Scenario:
    name: str
    count: int
    in_flight: int
    drivers: dict[str, Driver]


def scenarios(quick: bool, only: tuple[str, ...] = ()) -> list[Scenario]:
    """Every scenario, or those whose name holds one of `only` (`--scenario`)."""
    q = 0.2 if quick else 1.0

    def n(full: int) -> int:
        return max(5, int(full * q))

    every = [
        Scenario("chain of 10 steps, 50 in flight", n(200), 50,
                 {"A": workflow_driver(ChainA.run, 10), "B": workflow_driver(ChainB.run, 10)}),
        Scenario("fan-out of 50 with a join", n(50), 10,
                 {"A": workflow_driver(FanOutA.run, 50), "B": workflow_driver(FanOutB.run, 50)}),
        Scenario("order-to-cash, events answered at once", n(50), 10,
                 {"A": o2c_driver("A"), "B": o2c_driver("B")}),
        Scenario("1,000 one-step workflows", n(1000), 200,
                 {"A": workflow_driver(ChainA.run, 1), "B": workflow_driver(ChainB.run, 1)}),
        Scenario("human-step round trip", n(50), 10,
                 {"A": human_driver("A"), "B": human_driver("B")}),
    ]  # fmt: skip
    return [s for s in every if not only or any(o in s.name for o in only)]
