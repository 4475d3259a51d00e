"""Onboarding's automated steps: the vendor's background-check request, the accounts IT
creates, the courses assigned. Each booked once per run and step."""

from __future__ import annotations

from typing import Any

from temporalio import activity

from activities.bookings import book
from valuechain.models.onboarding import OnboardingBookingInput
from valuechain.models.records import BookingOutput
from valuechain.records.store import SystemOfRecord


class OnboardingActivities:
    def __init__(self, store: SystemOfRecord) -> None:
        self._store = store

    def _book(self, kind: str, input: OnboardingBookingInput) -> BookingOutput:
        b = book(self._store, input.key, kind, input.employee, {"items": input.items},
                       step=input.step)  # fmt: skip
        return BookingOutput(reference=b.reference, duplicate=b.duplicate)

    @activity.defn(name="request_background_check")
    def request_background_check(self, input: OnboardingBookingInput) -> BookingOutput:
        return self._book("background_check", input)

    @activity.defn(name="create_accounts")
    def create_accounts(self, input: OnboardingBookingInput) -> BookingOutput:
        return self._book("accounts", input)

    @activity.defn(name="assign_courses")
    def assign_courses(self, input: OnboardingBookingInput) -> BookingOutput:
        return self._book("course_enrollment", input)

    def all(self) -> list[Any]:
        return [self.request_background_check, self.create_accounts, self.assign_courses]
