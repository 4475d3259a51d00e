"""Employee onboarding, a process: background check, equipment provisioning and access
setup run at once as child workflows, each with its own human steps; training follows
when all three are done. The result lists every workflow's outcome and time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.onboarding import OnboardingActivities
    from valuechain.join import JoinPolicy
    from valuechain.models.onboarding import (
        OnboardingBookingInput,
        OnboardingInput,
        OnboardingRequest,
        OnboardingResult,
        OnboardingStepInput,
        OnboardingStepResult,
    )
    from valuechain.models.records import BookingOutput
    from valuechain.models.result import StageOutcome

from workflows.human import HumanWorkflow
from workflows.parallel import ParallelWorkflow


class OnboardingStep(HumanWorkflow):
    async def start_step(self, what: str, input: OnboardingStepInput) -> OnboardingRequest:
        req = self._request = input.request
        await self.begin(input, f"{what} for {req.full_name} ({req.job_title})", req.manager)
        return req

    async def booked(
        self,
        step: str,
        activity: Callable[[Any, OnboardingBookingInput], BookingOutput],
        items: list[str],
        what: str,
    ) -> str:
        out = await self.book(step, activity, OnboardingBookingInput, what,
                              employee=self._request.employee, items=items)  # fmt: skip
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
        return await self.finish(OnboardingStepResult, "done", "done", references=references)


@workflow.defn(name="BackgroundCheck")
class BackgroundCheck(OnboardingStep):
    """HR submits, the vendor processes, HR reviews."""

    @workflow.run
    async def run(self, input: OnboardingStepInput) -> OnboardingStepResult:
        req = await self.start_step("background check", input)
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


@workflow.defn(name="EquipmentProvisioning")
class EquipmentProvisioning(OnboardingStep):
    """The manager requests, IT configures, facilities delivers."""

    @workflow.run
    async def run(self, input: OnboardingStepInput) -> OnboardingStepResult:
        req = await self.start_step("equipment", input)
        items = ", ".join(req.equipment)
        await self.must("request", "manager", "requested", "cancelled",
                        f"request {items}", assignee=req.manager)  # fmt: skip
        await self.must("configure", "it", "configured", "blocked", f"configure {items}")
        await self.must("deliver", "facilities", "delivered", "blocked",
                        f"deliver {items} by {req.start_date}")  # fmt: skip
        return await self.done([])


@workflow.defn(name="AccessSetup")
class AccessSetup(OnboardingStep):
    """IT creates the accounts, the manager approves permissions, security audits."""

    @workflow.run
    async def run(self, input: OnboardingStepInput) -> OnboardingStepResult:
        req = await self.start_step("access", input)
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


@workflow.defn(name="Training")
class Training(ParallelWorkflow):
    """Courses assigned, each completion tracked (with reminders) by the new hire."""

    @workflow.run
    async def run(self, input: OnboardingStepInput) -> OnboardingStepResult:
        req = input.request
        await self.begin(input, f"training for {req.full_name}", req.manager)
        out = await self.book(
            "assign_courses", OnboardingActivities.assign_courses, OnboardingBookingInput,
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
        return await self.finish(OnboardingStepResult, "done", "all courses completed",
                                 references=[out.reference])  # fmt: skip


@workflow.defn(name="EmployeeOnboarding")
class EmployeeOnboarding(ParallelWorkflow):
    @workflow.run
    async def run(self, input: OnboardingInput) -> OnboardingResult:
        req = input.request
        await self.begin(input, f"onboarding of {req.full_name} as {req.job_title}",
                         req.manager)  # fmt: skip
        step = OnboardingStepInput(request=req, context=self.context)
        self.set_stage("preparing")
        joined, outcomes = await self.run_children(
            {
                "background_check": (BackgroundCheck.run, step),
                "equipment": (EquipmentProvisioning.run, step),
                "access": (AccessSetup.run, step),
            },
            JoinPolicy(mode="all", veto=True),
        )
        failed = {v.branch: v.comment for v in joined.verdicts if v.verdict == "rejected"}
        fields = {"employee": req.employee, "workflows": outcomes, "join": joined,
                  "failed": failed}  # fmt: skip
        if failed:
            return await self.finish(OnboardingResult, "not_onboarded",
                                     "; ".join(failed.values()), **fields)  # fmt: skip
        self.set_stage("training")
        started = workflow.now()
        training_id = f"{workflow.info().workflow_id}-training"
        await workflow.execute_child_workflow(Training.run, step, id=training_id)
        outcomes.append(StageOutcome(stage="training", workflow_id=training_id,
                                     status="completed", started_at=started,
                                     finished_at=workflow.now()))  # fmt: skip
        return await self.finish(OnboardingResult, "onboarded",
                                 f"{req.full_name} is onboarded", **fields)  # fmt: skip
