"""Access setup: IT creates the accounts, the manager approves permissions, security
audits."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.onboarding import OnboardingActivities
    from valuechain.models.onboarding import OnboardingStepInput, OnboardingStepResult

from workflows.onboarding.step import OnboardingStep


@workflow.defn(name="AccessSetup")
class AccessSetup(OnboardingStep):
    @workflow.run
    async def run(self, input: OnboardingStepInput) -> OnboardingStepResult:
        req = await self.begin_step(input, "access")
        ref = await self.booked(
            "create_accounts",
            OnboardingActivities.create_accounts,
            req.systems,
            f"create accounts on {', '.join(req.systems)}",
        )
        await self.must(
            "approve_permissions",
            "manager",
            "approve",
            "reject",
            f"approve {req.employee}'s permissions",
            assignee=req.manager,
        )
        await self.must("security_audit", "security", "pass", "fail",
                        f"audit {req.employee}'s access ({ref})")  # fmt: skip
        return await self.done([ref])
