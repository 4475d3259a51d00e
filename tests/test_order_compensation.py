"""Order-to-cash undone: a cancel at each stage undoes what the order did so far, and a
stage failing for good undoes, then fails the order with what it undid."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from tests.helpers import App, wait_for_state
from tests.helpers.history import record_history
from tests.helpers.orders import (
    FAST,
    deliver,
    order_input,
    pay,
    place_order,
    seeded,
    start_order,
    wait_order,
    wait_shipped,
)
from valuechain.models.orders import CancelInput
from workflows.order_to_cash.process import OrderToCash

KETTLES = {"KETTLE-2": 3}


def held(name: str) -> Any:
    """A stand-in that never finishes: the order sits in that stage until cancelled."""

    @activity.defn(name=name)
    async def hold(_: Any) -> None:
        await asyncio.Event().wait()

    return hold


def undo_kind(step: str) -> str:
    """An undo step without its references: 'voided invoice INV-1' -> 'voided invoice'."""
    step = step.split(" (")[0]
    return step.rsplit(" ", 1)[0] if step.startswith(("voided", "cancelled")) else step


@pytest.mark.parametrize(
    ("stage", "hold", "lines", "undone"),
    [
        ("order_entry", "price_order", KETTLES, []),
        ("credit_check", "check_credit", KETTLES, []),
        # Kettles reserved, the fridge in production when the cancellation comes.
        ("stock_check", None, {"KETTLE-2": 3, "FRIDGE-X": 1}, ["released 3 x KETTLE-2"]),
        ("pick_pack", "pack_order", {"KETTLE-2": 3, "OVEN-9": 1},
         ["released 3 x KETTLE-2", "released 1 x OVEN-9"]),
        ("shipping", None, KETTLES, ["cancelled shipment"]),
        ("invoicing", "issue_invoice", KETTLES, ["cancelled shipment"]),
        ("collection", None, KETTLES, ["refunded 100.00", "voided invoice", "cancelled shipment"]),
    ],
)  # fmt: skip
async def test_cancel_at_each_stage_undoes_what_was_done(
    app: App, stage: str, hold: str | None, lines: dict[str, int], undone: list[str]
) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    seeded(store)
    before = {sku: store.stock(sku) for sku in ("KETTLE-2", "FRIDGE-X", "OVEN-9")}
    clocks = FAST.model_copy(update={"production_lead_time": timedelta(hours=1)})
    replace = {hold: held(hold)} if hold else {}
    async with app.worker(replace):
        h = await start_order(
            env.client, task_queue, order_input(task_queue, lines, settings=clocks)
        )
        if stage in ("invoicing", "collection"):
            await deliver(h)
        if stage == "collection":
            await pay(h, Decimal("100.00"))
        elif stage == "shipping":
            await wait_shipped(h)
        elif stage == "stock_check":
            stock = env.client.get_workflow_handle(f"{h.id}-stock_check")
            await wait_for_state(stock, lambda s: s.stage == "in_production", "production")
        else:
            await wait_order(h, lambda v: v.stage == stage, stage)
        accepted = await h.execute_update(
            OrderToCash.cancel, CancelInput(reason="changed mind", by="buyer")
        )
        result = await h.result()
        await record_history(h, f"o2c-cancel-{stage}")
        child = await env.client.get_workflow_handle(f"{h.id}-{stage}").describe()
    assert accepted.accepted_at_stage == stage
    assert (result.status, result.cancel_reason) == ("cancelled", "changed mind")
    assert (result.stages[-1].stage, result.stages[-1].status) == (stage, "cancelled")
    assert child.status == WorkflowExecutionStatus.CANCELED
    assert [undo_kind(u) for u in result.undone] == undone
    # Everything is back where it was: no stock held or lost, nothing owed.
    for sku, levels in before.items():
        assert store.stock(sku) == levels, sku
    assert store.exposure("C-ACME") == 0


async def test_a_stage_failing_for_good_undoes_and_fails_the_order(app: App) -> None:
    store = app.store
    seeded(store)
    before = store.stock("KETTLE-2")

    @activity.defn(name="pack_order")
    async def broken_packer(_: Any) -> None:
        raise ApplicationError("conveyor 3 is down for a week", type="PackingFailed",
                               non_retryable=True)  # fmt: skip

    async with app.worker({"pack_order": broken_packer}):
        h = await place_order(app, {"KETTLE-2": 6})
        with pytest.raises(WorkflowFailureError) as caught:
            await h.result()
    failure = caught.value.cause
    assert isinstance(failure, ApplicationError)
    assert failure.type == "PackingFailed"
    assert f"order {h.id} failed at pick_pack" in failure.message
    assert "undone: released 6 x KETTLE-2" in failure.message
    assert store.stock("KETTLE-2") == before  # the reservation was released
    assert [b.kind for b in store.bookings(subject=h.id)] == [
        "reservation", "reservation_release",
    ]  # fmt: skip
