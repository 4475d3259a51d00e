"""Training: courses assigned, each completion tracked (with reminders) by the new hire."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.onboarding import OnboardingActivities
    from valuechain.join import JoinPolicy
    from valuechain.models.common import Heading
    from valuechain.models.onboarding import OnboardingStepInput, OnboardingStepResult

from workflows.parallel import ParallelWorkflow


@workflow.defn(name="Training")
class Training(ParallelWorkflow[OnboardingStepResult]):
    @workflow.run
    async def run(self, input: OnboardingStepInput) -> OnboardingStepResult:
        input = await self.begin(input, Heading(f"training for {input.request.full_name}",
                                                 input.request.manager))  # fmt: skip
        req = input.request
        out = await self.book(
            "assign_courses", OnboardingActivities.assign_courses,
            f"assign {', '.join(req.courses)}", employee=req.employee, items=req.courses,
        )  # fmt: skip
        joined = await self.decide_in_parallel(
            [
                self.spec(
                    f"course_{course.replace('-', '_')}",
                    "trainee",
                    ["completed"],
                    escalate_to="hr_lead",
                    assignee=req.employee,
                    four_eyes=False,
                    stage="training",
                    summary=f"complete {course}",
                )
                for course in req.courses
            ],
            JoinPolicy(mode="all"),
            yes="completed",
        )
        if joined.outcome != "approved":  # only "completed" is offered: cannot happen
            raise ApplicationError(f"training ended {joined.outcome}", non_retryable=True)
        return await self.finish("done", "all courses completed", references=[out.reference])
