"""Start a proposal review: python -m starters.proposal --help"""

from __future__ import annotations

from starters.common import collect_policy, parser, policy_flags, start
from valuechain.models.parallel import ProposalInput, ProposalRequest
from valuechain.process import run_command
from workflows.proposal import ProposalReview

FIELDS = ["title", "proposer", "location", "departments", "policy"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Have departments review a proposal at the same time.")
    p.add_argument("--title")
    p.add_argument("--proposer", help="a roster name")
    p.add_argument("--location", help="where the proposal is")
    p.add_argument(
        "--department",
        dest="departments",
        action="append",
        help="a reviewing role, repeatable (default legal, finance, engineering)",
    )
    policy_flags(p)
    args = p.parse_args(argv)
    collect_policy(args)
    return start(args, ProposalReview.run, ProposalRequest, ProposalInput, FIELDS, "proposal")


if __name__ == "__main__":
    run_command(main)
