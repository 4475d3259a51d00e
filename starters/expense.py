"""Start an expense reimbursement: python -m starters.expense --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.expense import ExpenseInput, ExpenseRequest
from valuechain.process import run_command
from workflows.expense import ExpenseReimbursement

FIELDS = [
    "employee",
    "amount",
    "currency",
    "category",
    "description",
    "receipts",
    "payee_account",
    "max_send_backs",
]


def main(argv: list[str] | None = None) -> int:
    p = parser("Submit an expense report for reimbursement.")
    p.add_argument("--employee", help="who is claiming (a roster name)")
    p.add_argument("--amount", help="amount, for example 125.50")
    p.add_argument("--currency", help="ISO currency code (default USD)")
    p.add_argument("--category", help="travel, meals, lodging, equipment, training or other")
    p.add_argument("--description")
    p.add_argument("--receipt", dest="receipts", action="append", help="receipt (repeatable)")
    p.add_argument("--payee-account", dest="payee_account", help="account to pay into")
    p.add_argument("--max-send-backs", dest="max_send_backs", type=int)
    args = p.parse_args(argv)
    return start(args, ExpenseReimbursement.run, ExpenseRequest, ExpenseInput, FIELDS, "expense")


if __name__ == "__main__":
    run_command(main)
