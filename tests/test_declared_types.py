"""A run's result and a booking's input take the types their methods declare: the run
method's return type, the activity's input type. No server needed."""

from __future__ import annotations

import pytest

from activities.bookings import BookingActivities
from activities.onboarding import OnboardingActivities
from valuechain.models.expense import ExpenseResult
from valuechain.models.onboarding import OnboardingBookingInput
from valuechain.models.records import PayoutInput
from workflows.expense import ExpenseReimbursement
from workflows.human import HumanWorkflow
from workflows.human.system import declared_input


def test_every_exit_of_a_run_builds_the_result_its_run_method_declares() -> None:
    assert ExpenseReimbursement.result_type is ExpenseResult


def test_a_workflow_whose_run_declares_no_run_result_is_refused_where_it_is_defined() -> None:
    with pytest.raises(TypeError, match=r"Loose\.run must declare the RunResult it returns"):
        # (the SDK's @workflow.run refuses a local class, so the check is seen without it)
        class Loose(HumanWorkflow):
            async def run(self, input: str) -> dict[str, str]:
                return {}


def test_a_booking_input_is_the_type_its_activity_takes() -> None:
    assert declared_input(BookingActivities.pay_expense) is PayoutInput
    assert declared_input(OnboardingActivities.assign_courses) is OnboardingBookingInput
