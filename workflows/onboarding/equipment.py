"""Equipment provisioning: the manager requests, IT configures, facilities delivers."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.onboarding import OnboardingStepInput, OnboardingStepResult

from workflows.onboarding.step import OnboardingStep


@workflow.defn(name="EquipmentProvisioning")
class EquipmentProvisioning(OnboardingStep):
    @workflow.run
    async def run(self, input: OnboardingStepInput) -> OnboardingStepResult:
        req = await self.begin_step(input, "equipment")
        items = ", ".join(req.equipment)
        await self.must("request", "manager", "requested", "cancelled",
                        f"request {items}", assignee=req.manager)  # fmt: skip
        await self.must("configure", "it", "configured", "blocked", f"configure {items}")
        await self.must("deliver", "facilities", "delivered", "blocked",
                        f"deliver {items} by {req.start_date}")  # fmt: skip
        return await self.done([])
