"""The background check: HR submits, the vendor processes, HR reviews."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.onboarding import OnboardingActivities
    from valuechain.models.onboarding import OnboardingStepInput, OnboardingStepResult

from workflows.onboarding.step import OnboardingStep


@workflow.defn(name="BackgroundCheck")
class BackgroundCheck(OnboardingStep):
    @workflow.run
    async def run(self, input: OnboardingStepInput) -> OnboardingStepResult:
        req = await self.begin_step(input, "background check")
        await self.must("submit", "hr", "submitted", "withdrawn",
                        f"submit {req.full_name}'s background check")  # fmt: skip
        ref = await self.booked(
            "vendor_check",
            OnboardingActivities.request_background_check,
            ["identity", "references"],
            "send to the screening vendor",
        )
        await self.must("hr_review", "hr", "clear", "reject",
                        f"review the vendor's report {ref}")  # fmt: skip
        return await self.done([ref])
