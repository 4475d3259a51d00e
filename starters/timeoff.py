"""Start a time-off request: python -m starters.timeoff --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.timeoff import TimeOffInput, TimeOffRequest
from valuechain.process import run_command
from workflows.timeoff import TimeOffRequestWorkflow

FIELDS = ["employee", "first_day", "last_day", "kind", "reason"]


def main(argv: list[str] | None = None) -> int:
    p = parser("Ask for time off.")
    p.add_argument("--employee", help="who asks (a roster name)")
    p.add_argument("--from", dest="first_day", help="first day off, YYYY-MM-DD")
    p.add_argument("--to", dest="last_day", help="last day off, YYYY-MM-DD")
    p.add_argument("--kind", help="vacation, sick, parental, unpaid or other")
    p.add_argument("--reason")
    args = p.parse_args(argv)
    return start(args, TimeOffRequestWorkflow.run, TimeOffRequest, TimeOffInput, FIELDS, "timeoff")


if __name__ == "__main__":
    run_command(main)
