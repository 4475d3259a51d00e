from __future__ import annotations

from datetime import date
from typing import Literal, Self

from pydantic import Field, model_validator

from valuechain.models.common import Heading, Login, Model, RunInput
from valuechain.models.result import RunResult

TimeOffKind = Literal["vacation", "sick", "parental", "unpaid", "other"]


class TimeOffRequest(Model):
    employee: Login
    """who asks (a roster name)"""
    first_day: date
    """the first day off, YYYY-MM-DD"""
    last_day: date
    """the last day off, YYYY-MM-DD"""
    kind: TimeOffKind = "vacation"
    """what kind of time off"""
    reason: str = Field(default="", max_length=500)
    """why (optional)"""

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.last_day < self.first_day:
            raise ValueError("last_day is before first_day")
        return self

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


class TimeOffInput(RunInput[TimeOffRequest]):
    """A time-off request to approve and record."""

    def heading(self) -> Heading:
        r = self.request
        return Heading(
            f"{r.kind} for {r.employee}, {r.first_day}..{r.last_day} ({r.days} days)", r.employee
        )


class TimeOffResult(RunResult):
    status: Literal["recorded", "rejected"]
    days: int
    hr_reference: str | None = None
