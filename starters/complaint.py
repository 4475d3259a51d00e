"""Start a complaint triage: python -m starters.complaint --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.rules_driven import ComplaintInput, ComplaintRequest
from valuechain.process import run_command
from valuechain.runcontext import load_named_table
from workflows.complaint import ComplaintTriage

FIELDS = ["customer", "subject", "description", "category", "severity"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Log a customer complaint; the complaint_triage table routes it.")
    p.add_argument("--customer")
    p.add_argument("--subject")
    p.add_argument("--description")
    p.add_argument("--category", help="safety, billing, product, service or other")
    p.add_argument("--severity", help="low, medium or high")
    args = p.parse_args(argv)
    return start(
        args, ComplaintTriage.run, ComplaintRequest, ComplaintInput, FIELDS, "complaint",
        lambda settings: {"table": load_named_table(settings, "complaint_triage")},
    )  # fmt: skip


if __name__ == "__main__":
    run_command(main)
