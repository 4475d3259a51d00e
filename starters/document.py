"""Start a document approval: python -m starters.document --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.document import DocumentInput, DocumentRequest
from valuechain.process import run_command
from workflows.document import DocumentApproval

FIELDS = ["title", "author", "location", "reviewer", "stakeholders", "max_revisions"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Upload a document for review and approval.")
    p.add_argument("--title")
    p.add_argument("--author", help="who uploads it (a roster name)")
    p.add_argument("--location", help="where the uploaded file is")
    p.add_argument("--reviewer", help="a named reviewer (default: anyone with the role)")
    p.add_argument(
        "--stakeholder",
        dest="stakeholders",
        action="append",
        help="told when it is approved (repeatable)",
    )
    p.add_argument("--max-revisions", dest="max_revisions", type=int)
    args = p.parse_args(argv)
    return start(args, DocumentApproval.run, DocumentRequest, DocumentInput, FIELDS, "document")


if __name__ == "__main__":
    run_command(main)
