"""A launch branch (marketing, sales or support): prepare the deliverable, then the
manager signs it off; a blocked or rejected branch fails by name."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from valuechain.models.parallel import BranchInput, BranchResult

from workflows.human import HumanWorkflow


@workflow.defn(name="LaunchBranch")
class LaunchBranch(HumanWorkflow[BranchResult]):
    @workflow.run
    async def run(self, input: BranchInput) -> BranchResult:
        input = await self.begin(input)
        branch = input.branch
        prepared = await self.human_step(
            self.spec(
                "prepare",
                branch.role,
                ["done", "blocked"],
                escalate_to="director",
                requires={"done": ["attachments"], "blocked": ["comment"]},
                summary=f"prepare the {branch.deliverable} for {input.product}",
            )
        )
        if prepared.decision == "blocked":
            await self._fail(f"{branch.name} is blocked: {prepared.comment}", "BranchBlocked")
        signed = await self.approval(
            "sign_off",
            "manager",
            escalate_to="director",
            summary=f"sign off the {branch.deliverable}: {', '.join(prepared.attachments)}",
        )
        if signed.decision == "reject":
            await self._fail(f"{branch.name} was rejected: {signed.comment}", "BranchRejected")
        return await self.finish(
            "ready",
            f"{branch.deliverable} ready",
            branch=branch.name,
            deliverables=prepared.attachments,
        )

    async def _fail(self, reason: str, kind: str) -> None:
        await self.flush_notices()
        await self.notify("outcome", self.requester, f"Failed: {self.subject}", reason)
        raise ApplicationError(reason, type=kind, non_retryable=True)
