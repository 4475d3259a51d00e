"""Order-to-cash on the real dev server: the chain, its outside events, cancellation and
failure with compensation, and the stock it must never oversell."""

from __future__ import annotations

from decimal import Decimal

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from activities.store import SystemOfRecord
from tests.helpers import record_history, worker
from tests.helpers.orders import deliver, order_input, pay, seeded, start_order, wait_order
from workflows.human import HumanWorkflow
from workflows.order_stages import StockCheck

STAGES = ["order_entry", "credit_check", "stock_check", "pick_pack", "shipment_planning",
          "shipping", "invoicing", "collection"]  # fmt: skip


async def test_full_chain_to_paid(
    env: WorkflowEnvironment, store: SystemOfRecord, task_queue: str
) -> None:
    seeded(store)
    inp = order_input(task_queue, {"KETTLE-2": 10, "TOASTER-4": 2})
    async with worker(env.client, task_queue, store):
        h = await start_order(env.client, task_queue, inp)
        shipment = await deliver(h)
        view = await pay(h)
        result = await h.result()
        for stage in STAGES:
            child = env.client.get_workflow_handle(f"{h.id}-{stage}")
            assert (await child.describe()).parent_id == h.id
            await record_history(child, f"o2c-{stage}")
        await record_history(h, "o2c")
        state = await h.query(HumanWorkflow.state)

    assert result.status == "paid"
    assert result.total == Decimal("657.00")  # 10 x 49.90 + 2 x 79.00
    assert [s.stage for s in result.stages] == STAGES
    assert result.paid == result.total
    assert result.undone == []
    assert view.outstanding == 0
    assert state.stage == "paid"
    kinds = sorted(b.kind for b in store.bookings())
    assert kinds == ["invoice", "packing", "payment", "reservation", "reservation", "shipment"]
    assert store.bookings("shipment")[0].reference == shipment
    assert store.stock("KETTLE-2") == (490, 0)  # shipped, nothing left reserved
    assert store.exposure("C-ACME") == 0


async def test_credit_refused_books_nothing(
    env: WorkflowEnvironment, store: SystemOfRecord, task_queue: str
) -> None:
    seeded(store)
    async with worker(env.client, task_queue, store):
        h = await start_order(
            env.client, task_queue, order_input(task_queue, {"OVEN-9": 2}, customer="C-TINY")
        )
        result = await h.result()
    assert result.status == "credit_refused"
    assert [s.stage for s in result.stages] == ["order_entry", "credit_check"]
    assert store.bookings() == []
    assert store.stock("OVEN-9") == (20, 0)


async def test_stock_short_goes_to_production_then_on(
    env: WorkflowEnvironment, store: SystemOfRecord, task_queue: str
) -> None:
    seeded(store)
    async with worker(env.client, task_queue, store):
        h = await start_order(env.client, task_queue, order_input(task_queue, {"FRIDGE-X": 2}))
        await wait_order(h, lambda v: v.stage == "shipping", "shipping after production")
        stock = env.client.get_workflow_handle_for(StockCheck.run, f"{h.id}-stock_check")
        stock_result = await stock.result()
        await deliver(h)
        await pay(h)
        result = await h.result()
    assert result.status == "paid"
    assert len(stock_result.production_orders) == 1
    assert [b.kind for b in store.bookings(subject=h.id) if "production" in b.kind] == [
        "production_order", "production_receipt",
    ]  # fmt: skip
    assert store.stock("FRIDGE-X") == (0, 0)  # produced 2, shipped 2
    status = (await env.client.get_workflow_handle(h.id).describe()).status
    assert status == WorkflowExecutionStatus.COMPLETED
