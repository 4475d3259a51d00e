"""Order-to-cash on the real dev server: the chain, its outside events, the stages alone
and how an order and its stages are listed (cancellation and compensation:
`test_order_compensation.py`)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio.client import (
    WithStartWorkflowOperation,
    WorkflowExecutionStatus,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDConflictPolicy

from tests.helpers import App, decide, listed, open_task, run_context
from tests.helpers.history import record_history, search_attribute_values
from tests.helpers.orders import (
    FAST,
    SHIPMENT_TABLE,
    deliver,
    from_partner,
    order_input,
    pay,
    place_order,
    refused_event,
    seeded,
    settle,
    shipped_order,
    start_order,
    wait_order,
    wait_shipped,
)
from valuechain.models.orders import (
    CreditInput,
    DeliveryInput,
    OrderEntryInput,
    PaymentInput,
    PlanInput,
)
from workflows.human import HumanWorkflow
from workflows.order_to_cash.process import OrderToCash
from workflows.order_to_cash.stages import CreditCheck, OrderEntry, ShipmentPlanning, StockCheck

STAGES = ["order_entry", "credit_check", "stock_check", "pick_pack", "shipment_planning",
          "shipping", "invoicing", "collection"]  # fmt: skip


async def test_full_chain_to_paid(app: App) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    seeded(store)
    inp = order_input(task_queue, {"KETTLE-2": 10, "TOASTER-4": 2})
    async with app.worker():
        h = await start_order(env.client, task_queue, inp)
        shipment = await deliver(h)
        view = await pay(h)
        result = await h.result()
        published = await search_attribute_values(h)
        given: dict[str, dict[str, Any]] = {}  # each stage's run context, as started
        for stage in STAGES:
            child = env.client.get_workflow_handle(f"{h.id}-{stage}")
            assert (await child.describe()).parent_id == h.id
            started = (await child.fetch_history()).events[0]
            [arg] = started.workflow_execution_started_event_attributes.input.payloads
            given[stage] = json.loads(arg.data)["context"]
            for attribute, values in (await search_attribute_values(child)).items():
                published.setdefault(attribute, set()).update(values)
            await record_history(child, f"o2c-{stage}")
        await record_history(h, "o2c")
        state = await h.query(HumanWorkflow.state)

    assert result.status == "paid"
    # The roster and the trusted keys only to the stage that has a human step and takes
    # signed payments: the others' start events would each store them again.
    people = {stage: ctx["roster"] is not None for stage, ctx in given.items()}
    keys = {stage: bool(ctx["trust"]["keys"]) for stage, ctx in given.items()}
    assert people == keys == {stage: stage == "collection" for stage in STAGES}
    # The customer by id only, in the order and every stage: the name stays encrypted.
    assert published["CustomerId"] == {"C-ACME"}
    assert not any("Acme" in v for values in published.values() for v in values), published
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


async def test_credit_refused_books_nothing(app: App) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    seeded(store)
    async with app.worker():
        h = await start_order(
            env.client, task_queue, order_input(task_queue, {"OVEN-9": 2}, customer="C-TINY")
        )
        result = await h.result()
        await record_history(h, "o2c-credit-refused")
    assert result.status == "credit_refused"
    assert [s.stage for s in result.stages] == ["order_entry", "credit_check"]
    assert store.bookings() == []
    assert store.stock("OVEN-9") == (20, 0)


async def test_stock_short_goes_to_production_then_on(app: App) -> None:
    env, store = app.env, app.store
    seeded(store)
    async with app.worker():
        h = await place_order(app, {"FRIDGE-X": 2})
        await wait_order(h, lambda v: v.stage == "shipping", "shipping after production")
        stock = env.client.get_workflow_handle_for(StockCheck.run, f"{h.id}-stock_check")
        stock_result = await stock.result()
        result = await settle(h)
    assert result.status == "paid"
    assert len(stock_result.production_orders) == 1
    assert [b.kind for b in store.bookings(subject=h.id) if "production" in b.kind] == [
        "production_order", "production_receipt",
    ]  # fmt: skip
    assert store.stock("FRIDGE-X") == (0, 0)  # produced 2, shipped 2
    status = (await env.client.get_workflow_handle(h.id).describe()).status
    assert status == WorkflowExecutionStatus.COMPLETED


async def test_late_payment_reminders_then_collections(app: App) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    seeded(store)
    clocks = FAST.model_copy(
        update={"payment_terms": timedelta(seconds=3), "dunning_every": timedelta(seconds=1)}
    )
    async with app.worker():
        h = await start_order(
            env.client, task_queue, order_input(task_queue, {"KETTLE-2": 1}, settings=clocks)
        )
        await deliver(h)
        await pay(h, Decimal("10.00"))  # part of it, then nothing more
        collection = env.client.get_workflow_handle(f"{h.id}-collection")
        task = await open_task(collection, "collections")
        assert task.role == "collections"
        await decide(collection, "collections", "colin", "write_off", comment="customer bankrupt")
        result = await h.result()
    assert result.status == "written_off"
    assert result.paid == Decimal("10.00")
    reminders = [n for n in store.outbox(recipient="C-ACME") if n.kind == "reminder"]
    assert len(reminders) >= 2
    assert "39.90 outstanding" in reminders[-1].message


async def test_partial_payments_and_refused_events(app: App) -> None:
    store = app.store
    seeded(store)
    async with app.worker():
        h = await place_order(app, {"OVEN-9": 1})
        early = await refused_event(
            h, OrderToCash.payment_received, PaymentInput(payment_id="P-0", amount=Decimal(1))
        )
        assert "no invoice has been issued" in early
        shipment = await wait_shipped(h)
        wrong = await refused_event(
            h, OrderToCash.shipment_delivered, DeliveryInput(shipment="SHI-x")
        )
        assert f"unknown shipment 'SHI-x'; this order ships as {shipment}" in wrong
        await deliver(h)
        again = await refused_event(
            h, OrderToCash.shipment_delivered, DeliveryInput(shipment=shipment)
        )
        assert "already delivered" in again
        first = await pay(h, Decimal("400.00"), "P-1")
        assert (first.paid, first.outstanding) == (Decimal("400.00"), Decimal("499.00"))
        twice = await refused_event(
            h, OrderToCash.payment_received, PaymentInput(payment_id="P-1", amount=Decimal(1))
        )
        assert "payment P-1 was already received" in twice
        over = await refused_event(
            h,
            OrderToCash.payment_received,
            PaymentInput(payment_id="P-2", amount=Decimal("500.00")),
        )
        assert "more than the 499.00 outstanding" in over
        await pay(h, Decimal("499.00"), "P-2")
        result = await h.result()
        await record_history(h, "o2c-partial")
    assert (result.status, result.paid) == ("paid", Decimal("899.00"))
    assert sorted(b.payload["payment_id"] for b in store.bookings("payment")) == ["P-1", "P-2"]


async def test_an_event_in_the_orders_first_moment_is_checked_for_what_it_is(app: App) -> None:
    """Sent with the start (update-with-start), the bank's payment comes in the run's
    first activation, before run() begins: the order checks its signature against the
    context it took in its constructor, then refuses it for having no invoice yet."""
    seeded(app.store)
    inp = order_input(app.task_queue, {"KETTLE-2": 1})
    order_id = inp.request.order_id
    start = WithStartWorkflowOperation(
        OrderToCash.run, inp, id=order_id, task_queue=app.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )  # fmt: skip
    early = PaymentInput(payment_id="P-0", amount=Decimal(1))
    async with app.worker():
        with pytest.raises(WorkflowUpdateFailedError) as raised:
            await app.client.execute_update_with_start_workflow(
                OrderToCash.payment_received,
                from_partner(order_id, OrderToCash.payment_received, early),
                start_workflow_operation=start,
            )
        await (await start.workflow_handle()).terminate("test done")
    assert "no invoice has been issued" in str(raised.value.cause)


async def test_an_order_and_its_stages_are_listed_by_order_id(app: App) -> None:
    env, store = app.env, app.store
    seeded(store)
    async with app.worker():
        h, _ = await shipped_order(app, {"KETTLE-2": 1})
        query = f'OrderId="{h.id}" AND CustomerId="C-ACME" AND ExecutionStatus="Running"'
        # The process and its shipping stage, both running.
        assert set(await listed(env.client, query, at_least=2)) == {h.id, f"{h.id}-shipping"}
        totals = await listed(env.client, f'WorkflowId="{h.id}" AND OrderTotal = 49.9')
        assert totals == [h.id]
        # ValuechainAmount means the same on the order as on its stages: its total.
        by_amount = f'OrderId="{h.id}" AND ValuechainAmount = 49.9'
        assert set(await listed(env.client, by_amount, at_least=6)) >= {h.id, f"{h.id}-shipping"}
        # What a person sees in the Web UI: the memo's one line and each stage's summary.
        memo = await (await h.describe()).memo_value("summary")
        assert memo == f"order {h.id} for C-ACME, total 49.90; stage shipping"
        shipping = await env.client.get_workflow_handle(f"{h.id}-shipping").describe()
        assert await shipping.static_summary() == f"shipping of order {h.id}"
        await h.terminate("test done")


async def test_stages_run_alone(app: App) -> None:
    store, task_queue = app.store, app.task_queue
    seeded(store)
    request = order_input(task_queue, {"OVEN-9": 2}).request
    ctx = run_context(task_queue)
    async with app.worker():
        entered = await app.run(
            OrderEntry.run, OrderEntryInput(request=request, context=ctx), "entry"
        )
        credit = await app.run(
            CreditCheck.run, CreditInput(order=entered.order, context=ctx), "credit"
        )
        plan = await app.run(
            ShipmentPlanning.run,
            PlanInput(order=entered.order, context=ctx, table=SHIPMENT_TABLE),
            "plan",
        )
    assert (entered.order.total, entered.order.weight_kg) == (Decimal("1798.00"), Decimal("76.0"))
    assert credit.status == "approved"
    assert (plan.mode, plan.rule) == ("land", "land")
    assert store.bookings() == []  # none of these three books anything
