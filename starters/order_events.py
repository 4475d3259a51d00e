"""Send an order the outside world's events, as the carrier, the bank or the customer:

  python -m starters.order_events show ORDER_ID
  python -m starters.order_events deliver ORDER_ID [--shipment REF]   (default: its shipment)
  python -m starters.order_events pay ORDER_ID --payment-id ID [--amount 100.00]
  python -m starters.order_events cancel ORDER_ID --reason TEXT --by NAME

The order checks each event; a refused one prints the order's reason and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from starters.common import fail
from valuechain.client import ConnectError, connect
from valuechain.models.orders import CancelInput, DeliveryInput, PaymentInput
from valuechain.process import run_command, settings_or_exit
from valuechain.settings import Settings
from valuechain.validation import describe_validation_error
from workflows.order_to_cash import OrderToCash


def _event(args: argparse.Namespace, view: Any) -> tuple[Any, BaseModel]:
    if args.command == "deliver":
        return OrderToCash.shipment_delivered, DeliveryInput(
            shipment=args.shipment or view.shipment or "", signed_by=args.signed_by or ""
        )
    if args.command == "pay":
        try:
            amount = Decimal(args.amount) if args.amount else view.outstanding
        except InvalidOperation:
            fail(f"--amount {args.amount!r} is not an amount, for example 100.00")
        return OrderToCash.payment_received, PaymentInput(payment_id=args.payment_id, amount=amount)
    return OrderToCash.cancel, CancelInput(reason=args.reason, by=args.by)


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        client = await connect(settings)
    except ConnectError as err:
        fail(str(err), code=1)
    handle = client.get_workflow_handle_for(OrderToCash.run, args.order_id)
    try:
        view = await handle.query(OrderToCash.order)
    except RPCError as err:
        fail(f"order {args.order_id}: {err.message}", code=1)
    if args.command == "show":
        print(view.model_dump_json(indent=2))
        return 0
    try:
        update, event = _event(args, view)
    except ValidationError as err:
        fail(describe_validation_error(f"{args.command} event", err))
    try:
        out = await handle.execute_update(update, event)
    except WorkflowUpdateFailedError as err:
        print(f"refused: {getattr(err.cause, 'message', None) or err}", file=sys.stderr)
        return 1
    print(out.model_dump_json())
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Send an order the outside world's events.")
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("show", "deliver", "pay", "cancel"):
        cmd = sub.add_parser(name)
        cmd.add_argument("order_id")
        if name == "deliver":
            cmd.add_argument("--shipment", help="the shipment reference (default: the order's)")
            cmd.add_argument("--signed-by", dest="signed_by")
        if name == "pay":
            cmd.add_argument("--payment-id", dest="payment_id", required=True)
            cmd.add_argument("--amount", help="default: everything outstanding")
        if name == "cancel":
            cmd.add_argument("--reason", required=True)
            cmd.add_argument("--by", required=True)
    args = p.parse_args(argv)
    return asyncio.run(_run(args, settings_or_exit()))


if __name__ == "__main__":
    run_command(main)
