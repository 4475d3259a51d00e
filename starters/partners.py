"""Acting as the outside world of order-to-cash: the carrier confirms deliveries, the
bank pays invoices. Used by the batch starter and by `make run` to drive orders to the end."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowFailureError
from temporalio.service import RPCError, RPCStatusCode

from valuechain.models.orders import DeliveryInput, PaymentInput
from workflows.order_to_cash import OrderToCash

POLL = 0.5  # seconds between looks at an order, as a carrier's or bank's system would


async def settle(client: Client, order_id: str, limit: timedelta = timedelta(minutes=5)) -> Any:
    """Deliver the order's shipment and pay its invoice in full when each is due; return
    the process's result, or the failure it ended with."""
    handle = client.get_workflow_handle_for(OrderToCash.run, order_id)
    deadline = asyncio.get_running_loop().time() + limit.total_seconds()
    while asyncio.get_running_loop().time() < deadline:
        if (await handle.describe()).close_time is not None:
            break
        try:
            view = await handle.query(OrderToCash.order)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                await asyncio.sleep(POLL)
                continue
            raise
        if view.finished:
            break
        if view.shipment and not view.delivered and view.stage == "shipping":
            await handle.execute_update(
                OrderToCash.shipment_delivered,
                DeliveryInput(shipment=view.shipment, signed_by="demo carrier"),
            )
        elif view.accepting_payments and view.outstanding > 0:
            await handle.execute_update(
                OrderToCash.payment_received,
                PaymentInput(payment_id=f"{order_id}-pay", amount=view.outstanding),
            )
        else:
            await asyncio.sleep(POLL)
    else:
        raise TimeoutError(f"order {order_id} not settled within {limit}")
    try:
        return await handle.result()
    except WorkflowFailureError as err:
        return err
