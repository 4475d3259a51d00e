"""What every onboarding step workflow shares: its start, its bookings, and a human step
that passes or stops the workflow. A module of its own with no workflow definition,
passed through the sandbox as the other mechanisms are (`workflows.PASSED_THROUGH`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from valuechain.models.onboarding import (
        OnboardingBookingInput,
        OnboardingRequest,
        OnboardingStepInput,
        OnboardingStepResult,
    )
    from valuechain.models.records import BookingOutput

from workflows.human import HumanWorkflow
from workflows.human.flat import flattened


@flattened
class OnboardingStep(HumanWorkflow[OnboardingStepResult]):
    async def begin_step(self, input: OnboardingStepInput, what: str) -> OnboardingRequest:
        """`begin`, headed by `what` the step is about (one input serves every step);
        returns the new hire's request, all a step reads of its input."""
        self._request = input.request
        await self.begin(input, input.heading_for(what))
        return self._request

    async def booked(
        self,
        step: str,
        activity: Callable[[Any, OnboardingBookingInput], BookingOutput],
        items: list[str],
        what: str,
    ) -> str:
        out = await self.book(step, activity, what, employee=self._request.employee, items=items)
        return out.reference

    async def must(self, step: str, role: str, yes: str, no: str, summary: str,
                   assignee: str | None = None) -> None:  # fmt: skip
        """A human step that either passes (`yes`) or stops this workflow (`no`)."""
        decision = await self.human_step(self.spec(
            step, role, [yes, no], escalate_to="hr_lead", assignee=assignee,
            four_eyes=assignee is None, requires={no: ["comment"]}, summary=summary,
        ))  # fmt: skip
        if decision.decision == no:
            await self.flush_notices()
            reason = f"{step}: {no} by {decision.actor}: {decision.comment}"
            await self.notify("outcome", self.requester, f"Stopped: {self.subject}", reason)
            raise ApplicationError(reason, type="OnboardingStepFailed", non_retryable=True)

    async def done(self, references: list[str]) -> OnboardingStepResult:
        return await self.finish("done", "done", references=references)
