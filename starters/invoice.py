"""Start an invoice approval: python -m starters.invoice --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.rules_driven import InvoiceInput, InvoiceRequest
from valuechain.process import run_command
from valuechain.runcontext import load_named_table
from workflows.invoice import InvoiceApproval

FIELDS = ["invoice_number", "vendor", "amount", "currency", "submitted_by"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Submit a supplier invoice; the invoice_approval table picks the approver.")
    p.add_argument("--invoice-number", dest="invoice_number")
    p.add_argument("--vendor", help="vendor id, lowercase (for example globex)")
    p.add_argument("--amount", help="for example 12500.00")
    p.add_argument("--currency", help="ISO currency code (default USD)")
    p.add_argument("--submitted-by", dest="submitted_by", help="a roster name")
    args = p.parse_args(argv)
    return start(
        args, InvoiceApproval.run, InvoiceRequest, InvoiceInput, FIELDS, "invoice",
        lambda settings: {"table": load_named_table(settings, "invoice_approval")},
    )  # fmt: skip


if __name__ == "__main__":
    run_command(main)
