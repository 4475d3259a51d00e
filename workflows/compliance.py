"""Compliance review, a state machine: pending_review -> approved | rejected |
needs_revision, and back to pending_review on the author's resubmission, with a cap on
revision rounds. The result keeps every transition and every revision."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.machines import Transition
    from valuechain.models.machine import ComplianceInput, ComplianceResult, Revision

from workflows.human import loaded
from workflows.statemachine import MachineWorkflow


@workflow.defn(name="ComplianceReview")
class ComplianceReview(MachineWorkflow[ComplianceResult]):
    @workflow.run
    async def run(self, input: ComplianceInput) -> ComplianceResult:
        input = await self.begin(input)
        req = input.request
        self.start_machine(loaded(input.machine))
        revisions: list[Revision] = []
        location = req.location

        def within_cap(t: Transition) -> bool:
            # Past the cap the reviewer must approve or reject.
            return t.decision != "request_revision" or len(revisions) < req.max_revisions

        while not self.finished:
            taken = await self.advance(within_cap)
            if taken.decision == "request_revision":
                revisions.append(
                    Revision(
                        round=len(revisions) + 1,
                        requested_by=taken.actor,
                        feedback=taken.comment,
                        requested_at=taken.at,
                    )
                )
            elif taken.decision == "resubmit":
                location = taken.attachments[0]
                revisions[-1].resubmitted_at = taken.at
                revisions[-1].location = location

        status = self.current_state
        return await self.finish(
            status,
            f"{status} after {len(revisions)} revision round(s)",
            location=location,
            transitions=self.transitions,
            revisions=revisions,
        )
