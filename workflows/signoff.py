"""Multi-approver sign-off: the approvers decide in any order; the policy says all or a
quorum, and whether one rejection vetoes. The run ends as soon as the outcome is
certain, and approvers still pending are told it is closed."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.parallel import SignOffInput, SignOffResult

from workflows.parallel import ParallelWorkflow


@workflow.defn(name="MultiApproverSignOff")
class MultiApproverSignOff(ParallelWorkflow[SignOffResult]):
    @workflow.run
    async def run(self, input: SignOffInput) -> SignOffResult:
        input = await self.begin(input)
        req = input.request
        return await self.approve_in_parallel(
            [
                self.approval_spec(
                    f"sign_off_{approver}",
                    "approver",
                    escalate_to="director",
                    assignee=approver,
                    stage="sign_off",
                    summary=f"sign off {req.subject} ({req.policy.describe(len(req.approvers))})",
                )
                for approver in req.approvers
            ],
            req.policy,
        )
