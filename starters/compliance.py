"""Start a compliance review: python -m starters.compliance --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.machine import ComplianceInput, ComplianceRequest
from valuechain.process import run_command
from valuechain.runcontext import load_named_machine
from workflows.compliance import ComplianceReview

FIELDS = ["title", "author", "location", "max_revisions"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Put a document through compliance review.")
    p.add_argument("--title")
    p.add_argument("--author", help="a roster name")
    p.add_argument("--location", help="where the document is")
    p.add_argument("--max-revisions", dest="max_revisions", type=int)
    args = p.parse_args(argv)
    return start(
        args, ComplianceReview.run, ComplianceRequest, ComplianceInput, FIELDS, "compliance",
        lambda settings: {"machine": load_named_machine(settings, "compliance_review")},
    )  # fmt: skip


if __name__ == "__main__":
    run_command(main)
