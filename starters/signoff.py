"""Start a multi-approver sign-off: python -m starters.signoff --help"""

from __future__ import annotations

from starters.common import collect_policy, parser, policy_flags, start
from valuechain.models.parallel import SignOffInput, SignOffRequest
from valuechain.process import run_command
from workflows.signoff import MultiApproverSignOff

FIELDS = ["subject", "requester", "approvers", "policy"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Ask several approvers to sign off, in any order.")
    p.add_argument("--subject")
    p.add_argument("--requester", help="a roster name")
    p.add_argument("--approver", dest="approvers", action="append", help="repeatable")
    policy_flags(p)
    args = p.parse_args(argv)
    collect_policy(args)
    return start(args, MultiApproverSignOff.run, SignOffRequest, SignOffInput, FIELDS, "signoff")


if __name__ == "__main__":
    run_command(main)
