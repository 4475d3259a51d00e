"""Start an employee onboarding: python -m starters.onboarding --help"""

from __future__ import annotations

from starters.common import parser, start
from valuechain.models.onboarding import OnboardingInput, OnboardingRequest
from valuechain.process import run_command
from workflows.onboarding import EmployeeOnboarding

FIELDS = ["employee", "full_name", "job_title", "manager", "start_date", "equipment",
          "systems", "courses"]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = parser("Onboard a new employee: background check, equipment and access at once, "
               "then training.")  # fmt: skip
    p.add_argument("--employee", help="the new hire's login name (decides their courses)")
    p.add_argument("--full-name", dest="full_name")
    p.add_argument("--job-title", dest="job_title")
    p.add_argument("--manager", help="a roster name")
    p.add_argument("--start-date", dest="start_date", help="YYYY-MM-DD")
    p.add_argument("--equipment", action="append", help="repeatable (default laptop, phone, badge)")
    p.add_argument("--system", dest="systems", action="append", help="an account, repeatable")
    p.add_argument("--course", dest="courses", action="append", help="repeatable")
    args = p.parse_args(argv)
    return start(args, EmployeeOnboarding.run, OnboardingRequest, OnboardingInput, FIELDS,
                 "onboarding")  # fmt: skip


if __name__ == "__main__":
    run_command(main)
