"""Acting as the outside world of order-to-cash: the carrier confirms deliveries, the
bank pays invoices. Used by the batch starter and by `make run` to drive orders to the end."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    WorkflowFailureError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError, RPCStatusCode

from valuechain.identity.keys import SigningKey
from valuechain.models.orders import DeliveryInput, OrderView, PaymentInput
from workflows.order_to_cash.process import OrderToCash

E = TypeVar("E", DeliveryInput, PaymentInput)
POLL = 0.5  # seconds between looks at an order, as a carrier's or bank's system would
PASSING = (
    RPCStatusCode.NOT_FOUND,  # a workflow a moment after its start
    RPCStatusCode.UNAVAILABLE,
    RPCStatusCode.DEADLINE_EXCEEDED,
    # The client's own call timeout ("Timeout expired") while a history instance is down.
    RPCStatusCode.CANCELLED,
    RPCStatusCode.RESOURCE_EXHAUSTED,
)


def waits_for_delivery(view: OrderView) -> bool:
    """The order waits for its shipment's delivery: the carrier's moment to confirm it."""
    return view.stage == "shipping" and bool(view.shipment) and not view.delivered


def waits_for_payment(view: OrderView) -> bool:
    """The order takes payments and is owed some: the bank's moment to pay."""
    return view.accepting_payments and view.outstanding > 0


def signed_event(key: SigningKey, order_id: str, update: str, event: E) -> E:
    """The event as a partner sends it: signed for this order and update, now."""
    return key.signed(order_id, update, event)


async def settle(
    client: Client, order_id: str, key: SigningKey, limit: timedelta = timedelta(minutes=5)
) -> Any:
    """Deliver the order's shipment and pay its invoice in full when each is due, each
    event signed with the partners' `key`; return the process's result, or the failure it
    ended with."""
    handle = client.get_workflow_handle_for(OrderToCash.run, order_id)
    deadline = asyncio.get_running_loop().time() + limit.total_seconds()
    refused = ""
    while asyncio.get_running_loop().time() < deadline:
        try:
            if (await handle.describe()).close_time is not None:
                break
            view = await handle.query(OrderToCash.order)
            if view.finished:
                break
            if waits_for_delivery(view) and view.shipment:  # (the type checker's narrowing)
                delivery = DeliveryInput(shipment=view.shipment, signed_by="demo carrier")
                await handle.execute_update(
                    OrderToCash.shipment_delivered,
                    signed_event(key, order_id, "shipment_delivered", delivery),
                )
            elif waits_for_payment(view):
                payment = PaymentInput(payment_id=f"{order_id}-pay", amount=view.outstanding)
                await handle.execute_update(
                    OrderToCash.payment_received,
                    signed_event(key, order_id, "payment_received", payment),
                )
            else:
                await asyncio.sleep(POLL)
        except (RPCError, WorkflowUpdateRPCTimeoutOrCancelledError) as err:
            # Not there yet, or Temporal briefly out of reach (a service restarting): a
            # partner's system looks again. What was sent is idempotent (one delivery, one
            # payment id), and the next look at the order says what still needs doing.
            if isinstance(err, RPCError) and err.status not in PASSING:
                raise
            await asyncio.sleep(POLL)
        except WorkflowUpdateFailedError as err:
            # Refused: most often an event sent again after a reply was lost in a server
            # failure (the order has it already: "already delivered"). The next look says
            # what still needs doing; a refusal that lasts is told when time runs out.
            refused = getattr(err.cause, "message", None) or str(err)
            await asyncio.sleep(POLL)
    else:
        last = f"; last refused: {refused}" if refused else ""
        raise TimeoutError(f"order {order_id} not settled within {limit}{last}")
    while True:
        try:
            return await handle.result()
        except WorkflowFailureError as err:
            return err
        except RPCError as err:
            if err.status not in PASSING or asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(POLL)
