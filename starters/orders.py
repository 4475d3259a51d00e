"""`valuechain order show|deliver|pay|cancel ORDER_ID`: the outside world's events for one
order (the carrier, the bank, the customer); `valuechain orders batch`: many generated
orders driven to their end. The order checks each event; a refused one prints the order's
reason and exits 1."""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from cyclopts import App, Parameter
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from starters import cli
from starters.cli import Failed, Json
from starters.simulation.partners import settle, signed_event
from valuechain.identity.keys import SigningKey
from valuechain.machines import MachineError
from valuechain.models.orders import (
    CancelInput,
    DeliveryInput,
    OrderLine,
    OrderRequest,
    OrderToCashInput,
    OrderView,
    PaymentInput,
)
from valuechain.rules import TableError
from valuechain.runcontext import load_setup
from valuechain.settings import Settings, SettingsError
from valuechain.validation import describe_validation_error
from workflows.order_to_cash.process import OrderToCash

order_app = App(name="order", help="Send one order the carrier's, bank's or customer's events.")
orders_app = App(name="orders", help="Many orders at once.")
log = logging.getLogger("valuechain.orders")


async def _view(client: Client, order_id: str) -> OrderView:
    try:
        return await client.get_workflow_handle_for(OrderToCash.run, order_id).query(
            OrderToCash.order
        )
    except RPCError as err:
        raise Failed(f"order {order_id}: {err.message}", cli.EXIT_FAILED) from err


def _render_view(view: OrderView) -> None:
    shown = cli.table(f"order {view.order_id}", "stage", "shipment", "delivered", "invoice",
                  "amount due", "paid", "outstanding", "finished")  # fmt: skip
    shown.add_row(view.stage, view.shipment or "-", "yes" if view.delivered else "no",
                  view.invoice or "-", str(view.amount_due), str(view.paid),
                  str(view.outstanding), "yes" if view.finished else "no")  # fmt: skip
    cli.console().print(shown)


@order_app.command
def show(order_id: str, /, *, as_json: Json = False) -> int:
    """Where the order is and what it waits for."""

    async def go() -> OrderView:
        return await _view(await cli.client_for(cli.load_settings()), order_id)

    view = asyncio.run(go())
    if as_json:
        cli.print_json(view)
    else:
        _render_view(view)
    return 0


async def _send(
    order_id: str, event_of: Any, what: str, key: Path | None, as_json: bool, signed: bool = True
) -> int:
    """Ask the order where it is, build the event from that, send it as an update signed
    with the key (unsigned without one: the order refuses it)."""
    settings = cli.load_settings()
    signer = cli.signing_key(key, settings) if signed else None
    client = await cli.client_for(settings)
    view = await _view(client, order_id)
    try:
        update, name, event = event_of(view)
    except ValidationError as err:
        raise Failed(describe_validation_error(f"{what} event", err)) from err
    if signer is not None:
        event = signed_event(signer, order_id, name, event)
    handle = client.get_workflow_handle_for(OrderToCash.run, order_id)
    try:
        out: BaseModel = await handle.execute_update(update, event)
    except WorkflowUpdateFailedError as err:
        print(f"refused: {getattr(err.cause, 'message', None) or err}", file=sys.stderr)
        return cli.EXIT_FAILED
    if as_json:
        cli.print_json(out)
    else:
        cli.console().print(f"order {order_id}: {what} accepted: {out.model_dump_json()}")
    return 0


@order_app.command
def deliver(
    order_id: str,
    /,
    *,
    shipment: Annotated[str | None, Parameter(help="the shipment (default: the order's)")] = None,
    signed_by: str = "",
    key: cli.KeyFile = None,
    as_json: Json = False,
) -> int:
    """As the carrier: the order's shipment was delivered."""
    return asyncio.run(_send(order_id, lambda view: (
        OrderToCash.shipment_delivered, "shipment_delivered",
        DeliveryInput(shipment=shipment or view.shipment or "", signed_by=signed_by),
    ), "delivery", key, as_json))  # fmt: skip


@order_app.command
def pay(
    order_id: str,
    /,
    *,
    payment_id: str,
    amount: Annotated[Decimal | None, Parameter(help="default: all that is outstanding")] = None,
    key: cli.KeyFile = None,
    as_json: Json = False,
) -> int:
    """As the bank: a payment for the order's invoice arrived."""
    return asyncio.run(_send(order_id, lambda view: (
        OrderToCash.payment_received, "payment_received",
        PaymentInput(payment_id=payment_id, amount=view.outstanding if amount is None else amount),
    ), "payment", key, as_json))  # fmt: skip


@order_app.command
def cancel(order_id: str, /, *, reason: str, by: str, as_json: Json = False) -> int:
    """As the customer: cancel the order (what was done is undone)."""
    # The customer's own request: no partner signs it.
    return asyncio.run(_send(order_id, lambda view: (
        OrderToCash.cancel, "cancel", CancelInput(reason=reason, by=by)
    ), "cancellation", None, as_json, signed=False))  # fmt: skip


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


def outcome(result: Any) -> str:
    if isinstance(result, WorkflowFailureError):
        return "failed"
    if isinstance(result, BaseException):
        return "not settled"
    return str(result.status)


async def run_batch(
    client: Client,
    settings: Settings,
    orders: list[OrderRequest],
    concurrency: int,
    key: SigningKey,
    progress: Progress | None = None,
) -> Counter[str]:
    """Start the orders (at most `concurrency` at once) and settle each as carrier and
    bank (signing with `key`); count them by outcome. One order's trouble never stops the
    batch."""
    setup = load_setup(settings, OrderToCashInput.loads)
    gate = asyncio.Semaphore(concurrency)
    outcomes: Counter[str] = Counter()
    task = progress.add_task("orders ended", total=len(orders)) if progress else None

    async def one(order: OrderRequest) -> None:
        async with gate:
            try:
                await client.start_workflow(
                    OrderToCash.run,
                    OrderToCashInput(request=order).completed(setup.context, setup.parts()),
                    id=order.order_id, task_queue=settings.orders_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                )  # fmt: skip
            except WorkflowAlreadyStartedError:
                result: Any = "already existed"
            else:
                try:
                    result = await settle(client, order.order_id, key)
                except Exception as err:  # one order's trouble must not stop the batch
                    # Counted as "not settled"; the log says what stopped it.
                    log.warning(f"order {order.order_id} not settled: {err!r}")
                    result = err
            outcomes[result if isinstance(result, str) else outcome(result)] += 1
            if progress is not None and task is not None:
                progress.advance(task)

    await asyncio.gather(*(one(order) for order in orders))
    return outcomes


@orders_app.command
def batch(
    *,
    count: Annotated[int, Parameter(help="how many orders (1 to 100000)")] = 20,
    seed: Annotated[int, Parameter(help="the same seed, the same orders")] = 1,
    prefix: Annotated[str | None, Parameter(help="order id prefix (default batch-<seed>)")] = None,
    concurrency: Annotated[int, Parameter(help="orders in flight at once (1 to 1000)")] = 20,
    key: cli.KeyFile = None,
    as_json: Json = False,
) -> int:
    """Run generated orders to their end, acting as carrier and bank; count the outcomes
    (exit 1 if any failed)."""
    if not 1 <= count <= 100_000:
        raise Failed(f"--count must be between 1 and 100000, got {count}")
    if not 1 <= concurrency <= 1000:
        raise Failed(f"--concurrency must be between 1 and 1000, got {concurrency}")
    settings = cli.load_settings(log_level="WARNING")
    signer = cli.signing_key(key, settings, "the batch signs as carrier and bank")
    assert signer is not None
    try:
        load_setup(settings, OrderToCashInput.loads)
    except (SettingsError, TableError, MachineError) as err:
        raise Failed(str(err)) from err
    orders = generate(count, seed, prefix or f"batch-{seed}")

    async def go() -> Counter[str]:
        client = await cli.client_for(settings)
        # The bar on the terminal; in a log, rich prints it once at the end.
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=Console(stderr=True), transient=False,
        ) as progress:  # fmt: skip
            return await run_batch(client, settings, orders, concurrency, signer, progress)

    started = time.monotonic()
    outcomes = asyncio.run(go())
    took = time.monotonic() - started
    failed = outcomes["failed"] + outcomes["not settled"]
    summary = {
        "orders": len(orders),
        "seconds": round(took, 2),
        "orders_per_second": round(len(orders) / took, 2),
        "outcomes": dict(sorted(outcomes.items())),
        "completed": outcomes["paid"],
        "failed": failed,
        "compensated": outcomes["cancelled"],
    }
    if as_json:
        cli.print_json(summary)
    else:
        out = cli.console()
        out.print(f"{len(orders)} orders in {took:.1f}s ({len(orders) / took:.2f} orders/s)")
        for status, n in sorted(outcomes.items()):
            out.print(f"  {status}: {n}")
        out.print(f"completed {outcomes['paid']}, failed {failed},"
                  f" compensated {outcomes['cancelled']}")  # fmt: skip
    return 0 if failed == 0 else cli.EXIT_FAILED
