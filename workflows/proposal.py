"""Proposal review: the departments review the proposal at the same time; their
decisions combine by the request's policy (default: all must approve)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.parallel import ProposalInput, ProposalResult

from workflows.parallel import ParallelWorkflow


@workflow.defn(name="ProposalReview")
class ProposalReview(ParallelWorkflow[ProposalResult]):
    @workflow.run
    async def run(self, input: ProposalInput) -> ProposalResult:
        input = await self.begin(input)
        req = input.request
        return await self.approve_in_parallel(
            [
                self.approval_spec(
                    f"{department}_review",
                    department,
                    escalate_to="director",
                    stage="review",
                    summary=f"{department} review of '{req.title}' at {req.location}",
                )
                for department in req.departments
            ],
            req.policy,
        )
