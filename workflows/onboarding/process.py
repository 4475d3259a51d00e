"""Employee onboarding, a process: background check, equipment provisioning and access
setup run at once as child workflows, each with its own human steps; training follows
when all three are done. The result lists every workflow's outcome and time."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.join import JoinPolicy
    from valuechain.models.onboarding import OnboardingInput, OnboardingResult, OnboardingStepInput
    from valuechain.models.result import StageOutcome

    # The process starts its steps by their classes and runs none of their code: taken
    # from outside the sandbox, so that its run does not define every step's class again.
    from workflows.onboarding.access import AccessSetup
    from workflows.onboarding.background import BackgroundCheck
    from workflows.onboarding.equipment import EquipmentProvisioning
    from workflows.onboarding.training import Training

from workflows.parallel import ParallelWorkflow


@workflow.defn(name="EmployeeOnboarding")
class EmployeeOnboarding(ParallelWorkflow[OnboardingResult]):
    @workflow.run
    async def run(self, input: OnboardingInput) -> OnboardingResult:
        input = await self.begin(input)
        req = input.request
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
        failed = joined.failed
        fields = {"employee": req.employee, "workflows": outcomes, "join": joined,
                  "failed": failed}  # fmt: skip
        if failed:
            return await self.finish("not_onboarded", "; ".join(failed.values()), **fields)
        self.set_stage("training")
        started = workflow.now()
        training_id = f"{workflow.info().workflow_id}-training"
        await workflow.execute_child_workflow(Training.run, step, id=training_id)
        outcomes.append(StageOutcome(stage="training", workflow_id=training_id,
                                     status="completed", started_at=started,
                                     finished_at=workflow.now()))  # fmt: skip
        return await self.finish("onboarded", f"{req.full_name} is onboarded", **fields)
