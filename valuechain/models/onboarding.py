"""Employee onboarding: background check, equipment and access in parallel, then training."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from valuechain.models.common import Heading, Item, Line, Login, Model, RunInput
from valuechain.models.parallel import JoinResult
from valuechain.models.records import BookingInput
from valuechain.models.result import RunResult, StageOutcome


class OnboardingRequest(Model):
    employee: Login = Field(description="the new hire's login")
    full_name: Line
    """the new hire's full name"""
    job_title: Line
    """their job"""
    manager: Login
    """their manager (a roster name)"""
    start_date: date
    """their first day, YYYY-MM-DD"""
    equipment: list[Item] = Field(default=["laptop", "phone", "badge"], min_length=1, max_length=30)
    """what IT hands out (repeat the flag for more)"""
    systems: list[Item] = Field(default=["email", "chat", "hr-portal"], min_length=1, max_length=30)
    """the accounts to create (repeat the flag for more)"""
    courses: list[Item] = Field(
        default=["security-basics", "code-of-conduct"], min_length=1, max_length=30
    )
    """the training courses (repeat the flag for more)"""


class OnboardingInput(RunInput[OnboardingRequest]):
    """A new hire to prepare for: the onboarding process's input."""

    def heading(self) -> Heading:
        r = self.request
        return Heading(f"onboarding of {r.full_name} as {r.job_title}", r.manager)


class OnboardingStepInput(RunInput[OnboardingRequest]):
    """What each onboarding child workflow gets; each of them says what it is about
    (`heading_for`), this input alone only that it is a step."""

    def heading(self) -> Heading:
        return self.heading_for("onboarding step")

    def heading_for(self, what: str) -> Heading:
        r = self.request
        return Heading(f"{what} for {r.full_name} ({r.job_title})", r.manager)


class OnboardingStepResult(RunResult):
    status: Literal["done"]
    references: list[str]


class OnboardingResult(RunResult):
    status: Literal["onboarded", "not_onboarded"]
    employee: str
    workflows: list[StageOutcome]  # each child workflow: how and when it ended
    join: JoinResult
    failed: dict[str, str]  # workflow -> why


class OnboardingBookingInput(BookingInput):
    employee: str
    items: list[str]
