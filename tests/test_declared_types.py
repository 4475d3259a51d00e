"""A run's result is the type its class names, once; a booking's input the type its
activity takes. No server needed."""

from __future__ import annotations

import pytest

from activities.bookings import BookingActivities
from activities.onboarding import OnboardingActivities
from valuechain.models.expense import ExpenseResult
from valuechain.models.onboarding import OnboardingBookingInput, OnboardingStepResult
from valuechain.models.records import PayoutInput
from workflows.expense import ExpenseReimbursement
from workflows.human import HumanWorkflow
from workflows.human.system import declared_input
from workflows.onboarding.access import AccessSetup


def test_every_exit_of_a_run_builds_the_result_its_class_names() -> None:
    assert ExpenseReimbursement.result_type is ExpenseResult
    assert AccessSetup.result_type is OnboardingStepResult  # named by its base


def test_a_workflow_that_names_no_result_is_refused_where_it_is_defined() -> None:
    with pytest.raises(TypeError, match=r"Loose must name the RunResult its run returns"):
        # (the SDK's @workflow.run refuses a local class, so the check is seen without it)
        class Loose(HumanWorkflow):
            async def run(self, input: str) -> ExpenseResult:
                return await self.finish("done", "nothing to do")


def test_a_booking_input_is_the_type_its_activity_takes() -> None:
    assert declared_input(BookingActivities.pay_expense) is PayoutInput
    assert declared_input(OnboardingActivities.assign_courses) is OnboardingBookingInput
