"""Start a purchase approval: python -m starters.purchase --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.rules_driven import PurchaseInput, PurchaseRequest
from valuechain.process import run_command
from valuechain.runcontext import load_named_table
from workflows.purchase import PurchaseApproval

FIELDS = ["requester", "item", "amount", "currency", "category", "vendor"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Ask to buy something; the purchase_approval table routes it.")
    p.add_argument("--requester", help="who asks (a roster name)")
    p.add_argument("--item")
    p.add_argument("--amount", help="for example 1250.00")
    p.add_argument("--currency", help="ISO currency code (default USD)")
    p.add_argument("--category", help="it, office, travel, services, facilities or other")
    p.add_argument("--vendor")
    args = p.parse_args(argv)
    return start(
        args, PurchaseApproval.run, PurchaseRequest, PurchaseInput, FIELDS, "purchase",
        lambda settings: {"table": load_named_table(settings, "purchase_approval")},
    )  # fmt: skip


if __name__ == "__main__":
    run_command(main)
