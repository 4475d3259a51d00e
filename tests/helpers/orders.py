"""Order-to-cash test helpers: seeded stock, short clocks, acting as carrier and bank."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowHandle

from activities.seed import seed_demo_data
from starters.simulation.partners import signed_event
from tests.helpers import App, eventually, new_id, run_context
from tests.helpers.keys import PARTNER_KEY
from tests.helpers.refusals import refused
from valuechain.models.orders import (
    DeliveryInput,
    O2CSettings,
    OrderLine,
    OrderRequest,
    OrderToCashInput,
    OrderToCashResult,
    OrderView,
    PaymentInput,
)
from valuechain.records.store import SystemOfRecord
from valuechain.rules import load_table
from workflows.order_to_cash.process import OrderToCash

E = TypeVar("E", DeliveryInput, PaymentInput)
SHIPMENT_TABLE = load_table(
    Path(__file__).resolve().parents[2] / "valuechain" / "tables" / "shipment_mode.toml"
)
FAST = O2CSettings(
    payment_terms=timedelta(hours=1),
    dunning_every=timedelta(hours=1),
    production_lead_time=timedelta(seconds=1),
    delivery_grace=timedelta(hours=1),
)


def seeded(store: SystemOfRecord) -> SystemOfRecord:
    seed_demo_data(store)
    return store


def order_input(
    task_queue: str,
    lines: dict[str, int],
    customer: str = "C-ACME",
    settings: O2CSettings = FAST,
    order_id: str | None = None,
) -> OrderToCashInput:
    return OrderToCashInput(
        request=OrderRequest(
            order_id=order_id or new_id("order"),
            customer=customer,
            lines=[OrderLine(sku=sku, qty=qty) for sku, qty in lines.items()],
            due_date=date.today() + timedelta(days=30),
        ),
        context=run_context(task_queue),
        shipment_table=SHIPMENT_TABLE,
        settings=settings,
    )


async def start_order(
    client: Client, task_queue: str, inp: OrderToCashInput
) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        OrderToCash.run, inp, id=inp.request.order_id, task_queue=task_queue
    )


async def place_order(app: App, lines: dict[str, int], **options: Any) -> WorkflowHandle[Any, Any]:
    """Start an order of `lines` (SKU: quantity) on the test's queue; `options` are
    `order_input`'s."""
    return await start_order(
        app.client, app.task_queue, order_input(app.task_queue, lines, **options)
    )


async def wait_order(
    handle: WorkflowHandle[Any, Any], predicate: Callable[[OrderView], bool], what: str
) -> OrderView:
    return await eventually(lambda: handle.query(OrderToCash.order), predicate, what)


async def wait_shipped(handle: WorkflowHandle[Any, Any]) -> str:
    """Wait until the order is shipped (and waits for its delivery); its shipment."""
    view = await wait_order(handle, lambda v: v.shipment is not None, "the shipment")
    assert view.shipment is not None
    return view.shipment


async def shipped_order(
    app: App, lines: dict[str, int], **options: Any
) -> tuple[WorkflowHandle[Any, Any], str]:
    """An order of `lines` placed and shipped, now waiting for its delivery; the order and
    its shipment."""
    handle = await place_order(app, lines, **options)
    return handle, await wait_shipped(handle)


async def deliver(handle: WorkflowHandle[Any, Any]) -> str:
    """Act as the carrier: confirm the delivery of the order's shipment."""
    delivery = DeliveryInput(shipment=await wait_shipped(handle), signed_by="front desk")
    await handle.execute_update(
        OrderToCash.shipment_delivered,
        signed_event(PARTNER_KEY, handle.id, "shipment_delivered", delivery),
    )
    return delivery.shipment


async def pay(
    handle: WorkflowHandle[Any, Any], amount: Decimal | None = None, payment_id: str | None = None
) -> OrderView:
    """Act as the bank: pay `amount` (default: what is outstanding) once an invoice exists."""
    view = await wait_order(handle, lambda v: v.accepting_payments, "collection")
    payment = PaymentInput(
        payment_id=payment_id or new_id("pay"), amount=amount or view.outstanding
    )
    await handle.execute_update(
        OrderToCash.payment_received,
        signed_event(PARTNER_KEY, handle.id, "payment_received", payment),
    )
    return await handle.query(OrderToCash.order)


async def settle(handle: WorkflowHandle[Any, Any]) -> OrderToCashResult:
    """Act as carrier and bank until the order ends: its delivery confirmed, its invoice
    paid in full."""
    await deliver(handle)
    await pay(handle)
    result: OrderToCashResult = await handle.result()
    return result


def from_partner(workflow_id: str, update: Any, event: E) -> E:
    """The event as the carrier or the bank sends it: signed for this run and update."""
    return signed_event(PARTNER_KEY, workflow_id, update.__name__, event)


async def refused_event(handle: WorkflowHandle[Any, Any], update: Any, event: E) -> str:
    """A carrier's or bank's event, signed as they send it, that the order must refuse;
    the order moves on by itself meanwhile. Returns the refusal."""
    return await refused(handle, update, from_partner(handle.id, update, event), moving=True)
