"""Stock that is never oversold or reserved twice, orders that cannot be submitted twice,
stages that run alone, and a collection that continues as new without losing a payment."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from activities.order_to_cash import OrderActivities
from starters.orders import generate
from tests.helpers import WAIT_LIMIT, App, new_id, run_context, stand_in
from tests.helpers.cli import run_cli
from tests.helpers.history import record_history
from tests.helpers.orders import from_partner, place_order, seeded, settle
from valuechain.models.orders import CollectionInput, IssuedInvoice, PaymentInput
from valuechain.records.checks import reserve
from valuechain.records.store import DomainError, SystemOfRecord
from workflows.order_to_cash.stages import Collection


def test_concurrent_reservations_never_oversell(store: SystemOfRecord) -> None:
    seeded(store)  # OVEN-9: 20 on hand

    def attempt(i: int) -> str:
        try:
            store.book(f"o{i}:reserve:OVEN-9", "reservation", f"o{i}", {"qty": 3},
                       reserve("OVEN-9", 3))  # fmt: skip
        except DomainError as err:
            return err.error_type
        return "reserved"

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(attempt, range(24)))
    # 6 x 3 = 18 of 20; a seventh would need 21.
    assert sorted(set(outcomes)) == ["StockShort", "reserved"]
    assert outcomes.count("reserved") == 6
    assert store.stock("OVEN-9") == (20, 18)
    assert len(store.bookings("reservation")) == 6

    # The same reservation from several threads at once (a retry racing itself): once.
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda _: store.book(
                    "again:reserve:KETTLE-2",
                    "reservation",
                    "again",
                    {"qty": 5},
                    reserve("KETTLE-2", 5),
                ),
                range(8),
            )
        )
    assert store.stock("KETTLE-2") == (500, 5)


async def test_concurrent_orders_against_the_same_stock(app: App) -> None:
    store = app.store
    seeded(store)  # OVEN-9: 20 on hand; 8 orders of 4 need production for some
    async with app.worker():
        handles = await asyncio.gather(*(
            place_order(app, {"OVEN-9": 4})
            for _ in range(8)
        ))  # fmt: skip
        results = [await settle(h) for h in handles]
    assert [r.status for r in results] == ["paid"] * 8
    produced = sum(b.payload["qty"] for b in store.bookings("production_receipt"))
    assert produced == 12  # 32 ordered - 20 on hand
    assert store.stock("OVEN-9") == (0, 0)
    assert len(store.bookings("reservation")) == 8


async def test_produced_goods_are_held_for_their_order(app: App) -> None:
    """Between the production receipt and the order's reservation another order may try
    to reserve: the received units are reserved on receipt, so it cannot take them."""
    store = app.store
    seeded(store)  # FRIDGE-X: none on hand, so the order waits on production
    real = OrderActivities(store).reserve_stock
    rival: list[str] = []

    async def rival_first(arg: Any) -> Any:
        if store.bookings("production_receipt") and not rival:
            try:
                store.book("rival:reserve:FRIDGE-X", "reservation", "rival", {"qty": 1},
                           reserve("FRIDGE-X", 1))  # fmt: skip
                rival.append("took a unit")
            except DomainError as err:
                rival.append(err.error_type)
        return await asyncio.to_thread(real, arg)

    replace = {"reserve_stock": stand_in("reserve_stock", real, rival_first)}
    async with app.worker(replace):
        h = await place_order(app, {"FRIDGE-X": 2})
        assert (await settle(h)).status == "paid"
    assert rival == ["StockShort"]
    assert store.stock("FRIDGE-X") == (0, 0)  # 2 produced, 2 shipped


async def test_a_retried_reservation_reserves_once(app: App) -> None:
    store = app.store
    seeded(store)
    real = OrderActivities(store).reserve_stock

    async def lost_reply(arg: Any) -> Any:
        out = await asyncio.to_thread(real, arg)
        if activity.info().attempt == 1:
            raise ConnectionError("worker lost after reserving")
        return out

    replace = {"reserve_stock": stand_in("reserve_stock", real, lost_reply)}
    async with app.worker(replace):
        h = await place_order(app, {"KETTLE-2": 7})
        assert (await settle(h)).status == "paid"
    assert len(store.bookings("reservation")) == 1
    assert store.stock("KETTLE-2") == (493, 0)  # 7 shipped, reserved exactly once


async def test_the_same_order_twice_starts_one_process(app: App) -> None:
    env, store = app.env, app.store
    seeded(store)
    cli = app.process_env()
    order_id = new_id("ORD")
    args = ["start", "order", "--order-id", order_id, "--customer", "C-TINY", "--lines", "OVEN-9=1"]
    async with app.worker():
        first = await run_cli(*args, env=cli)
        assert first.code == 0, first
        second = await run_cli(*args, env=cli)
        assert second.code == 1
        assert f"workflow {order_id} already exists; nothing started" in second.err
        result = await env.client.get_workflow_handle(order_id).result()
        assert result["status"] == "credit_refused"  # C-TINY's limit is 500
        # Even once it has ended, the order id cannot start a second process.
        third = await run_cli(*args, env=cli)
    assert third.code == 1
    assert "already exists" in third.err
    bad = await run_cli("start", "order", "--order-id", "X", "--customer", "C-ACME",
                        "--lines", "KETTLE-2", env=cli)  # fmt: skip
    assert bad.code == 2
    assert "lines.0: Value error, expected SKU=QUANTITY" in bad.err


async def test_batch_of_seeded_orders_runs_to_the_end(app: App) -> None:
    store = app.store
    seeded(store)
    assert generate(5, 7, "b") == generate(5, 7, "b")  # the same seed, the same orders
    assert generate(5, 7, "b") != generate(5, 8, "b")
    cli = app.process_env(VALUECHAIN_PAYMENT_TERMS_SECONDS="3600")
    async with app.worker():
        ran = await run_cli("orders", "batch", "--count", "6", "--seed", "3",
                            "--prefix", new_id("b"), env=cli)  # fmt: skip
    assert ran.code == 0, ran
    assert "orders ended" in ran.err
    assert "6/6" in ran.err
    assert "completed 6, failed 0, compensated 0" in ran.out
    assert "orders/s" in ran.out


async def pay_collection(handle: WorkflowHandle[Any, Any], payment_id: str, amount: str) -> Any:
    """The bank pays the collection directly (signed as the partners sign)."""
    payment = PaymentInput(payment_id=payment_id, amount=Decimal(amount))
    return await handle.execute_update(
        Collection.record_payment, from_partner(handle.id, Collection.record_payment, payment)
    )


async def test_collection_alone_continues_as_new_and_keeps_its_payments(app: App) -> None:
    store, task_queue = app.store, app.task_queue
    now = datetime.now(UTC)
    invoice = IssuedInvoice(number="INV-solo", order_id=new_id("solo"), customer="C-ACME",
                            amount=Decimal("300.00"), issued_at=now,
                            due_at=now + timedelta(hours=1))  # fmt: skip
    inp = CollectionInput(
        invoice=invoice,
        context=run_context(task_queue),
        dunning_every=timedelta(milliseconds=200),
        continue_after_events=50,
    )
    async with app.worker():
        h = await app.start(Collection.run, inp, "collection")
        first = await pay_collection(h, "P-a", "100.00")
        assert first.outstanding == Decimal("200.00")
        # Reminders every 0.2 s grow the history past 50 events: it continues as new.
        deadline = asyncio.get_running_loop().time() + WAIT_LIMIT
        while (await h.describe()).run_id == h.result_run_id:
            assert asyncio.get_running_loop().time() < deadline, "it never continued as new"
            await asyncio.sleep(0.2)
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await pay_collection(h, "P-a", "1.00")
        assert "payment P-a was already received" in str(caught.value.cause)
        await pay_collection(h, "P-b", "200.00")
        result = await h.result()
        await record_history(h, "collection-continued")
    assert result.status == "paid"
    assert result.runs >= 2
    assert [p.payment_id for p in result.payments] == ["P-a", "P-b"]
    assert result.reminders_sent >= 3
    assert len(store.bookings("payment")) == 2
