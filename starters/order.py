"""Place one order, which runs order-to-cash: python -m starters.order --help

The order id is the workflow id: the same order submitted twice starts one process, and
the second submission is told the order already exists (exit 1)."""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from starters.common import fail, parser, start
from valuechain.models.orders import OrderRequest, OrderToCashInput
from valuechain.process import run_command
from valuechain.runcontext import load_named_table, o2c_settings
from workflows.order_to_cash import OrderToCash

FIELDS = ["order_id", "customer", "lines", "due_date"]


def parse_lines(raw: list[str] | None) -> list[dict[str, object]] | None:
    if not raw:
        return None
    lines = []
    for item in raw:
        sku, sep, qty = item.partition("=")
        if not sep or not qty.strip().lstrip("-").isdigit():
            fail(f"--line {item!r}: expected SKU=QUANTITY, for example KETTLE-2=10")
        lines.append({"sku": sku.strip(), "qty": int(qty)})
    return lines


def main(argv: list[str] | None = None) -> int:
    p = parser("Place an order: order entry, credit, stock, packing, shipping, invoice, "
               "collection.", workflow_id=False)  # fmt: skip
    p.add_argument("--order-id", dest="order_id", help="the order's id (also its workflow id)")
    p.add_argument("--customer", help="customer id, for example C-ACME")
    p.add_argument("--line", dest="raw_lines", action="append", metavar="SKU=QTY",
                   help="an order line (repeatable)")  # fmt: skip
    p.add_argument("--due-date", dest="due_date", help="YYYY-MM-DD (default: in 30 days)")
    args: argparse.Namespace = p.parse_args(argv)
    args.workflow_id = None
    args.lines = parse_lines(args.raw_lines)
    if args.due_date is None and not args.input:
        args.due_date = (date.today() + timedelta(days=30)).isoformat()
    return start(
        args, OrderToCash.run, OrderRequest, OrderToCashInput, FIELDS, "order",
        lambda settings: {
            "shipment_table": load_named_table(settings, "shipment_mode"),
            "settings": o2c_settings(settings),
        },
        id_of=lambda request: request.order_id,
        queue_of_orders=True,
    )  # fmt: skip


if __name__ == "__main__":
    run_command(main)
