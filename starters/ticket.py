"""Open a support ticket: python -m starters.ticket --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.machine import TicketInput, TicketRequest
from valuechain.process import run_command
from valuechain.runcontext import load_named_machine, load_named_table
from workflows.ticket import SupportTicket

FIELDS = ["customer", "subject", "description", "category", "severity"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Open a support ticket for a customer.")
    p.add_argument("--customer", help="the customer (decides on the resolution)")
    p.add_argument("--subject")
    p.add_argument("--description")
    p.add_argument("--category", help="left out: categorised from the text")
    p.add_argument("--severity", help="low, medium or high")
    args = p.parse_args(argv)
    return start(
        args, SupportTicket.run, TicketRequest, TicketInput, FIELDS, "ticket",
        lambda settings: {
            "machine": load_named_machine(settings, "support_ticket"),
            "triage": load_named_table(settings, "complaint_triage"),
        },
    )  # fmt: skip


if __name__ == "__main__":
    run_command(main)
