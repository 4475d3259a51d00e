"""Onboarding's automated steps: the vendor's background-check request, the accounts IT
creates, the courses assigned. Each booked once per run and step."""

from __future__ import annotations

from temporalio import activity

from activities.bookings import Booker
from valuechain.models.onboarding import OnboardingBookingInput
from valuechain.models.records import BookingOutput


class OnboardingActivities(Booker):
    def _items(self, kind: str, input: OnboardingBookingInput) -> BookingOutput:
        return self._book_step(input, kind, input.employee, {"items": input.items})

    @activity.defn(name="request_background_check")
    def request_background_check(self, input: OnboardingBookingInput) -> BookingOutput:
        return self._items("background_check", input)

    @activity.defn(name="create_accounts")
    def create_accounts(self, input: OnboardingBookingInput) -> BookingOutput:
        return self._items("accounts", input)

    @activity.defn(name="assign_courses")
    def assign_courses(self, input: OnboardingBookingInput) -> BookingOutput:
        return self._items("course_enrollment", input)
