"""New product launch: marketing, sales and support prepare at once, each a child
workflow with its own human steps; the launch waits for all of them and happens on the
launch date (a durable timer). A branch that fails is reported by name and the launch
does not go ahead."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.bookings import BookingActivities
    from valuechain.join import JoinPolicy
    from valuechain.models.parallel import BranchInput, BranchResult, LaunchInput, LaunchResult
    from valuechain.models.records import LaunchRecordInput

from workflows.human import HumanWorkflow
from workflows.parallel import ParallelWorkflow


@workflow.defn(name="LaunchBranch")
class LaunchBranch(HumanWorkflow):
    @workflow.run
    async def run(self, input: BranchInput) -> BranchResult:
        branch = input.branch
        await self.begin(input, f"{branch.name} for the launch of {input.product}", input.owner)
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
            BranchResult,
            "ready",
            f"{branch.deliverable} ready",
            branch=branch.name,
            deliverables=prepared.attachments,
        )

    async def _fail(self, reason: str, kind: str) -> None:
        await self.flush_notices()
        await self.notify("outcome", self.requester, f"Failed: {self.subject}", reason)
        raise ApplicationError(reason, type=kind, non_retryable=True)


@workflow.defn(name="ProductLaunch")
class ProductLaunch(ParallelWorkflow):
    @workflow.run
    async def run(self, input: LaunchInput) -> LaunchResult:
        req = input.request
        await self.begin(input, f"launch of {req.product} at {req.launch_at.isoformat()}",
                         req.owner)  # fmt: skip
        self.set_stage("preparing")
        joined, _ = await self.run_children(
            {
                b.name: (
                    LaunchBranch.run,
                    BranchInput(product=req.product, owner=req.owner, branch=b,
                                context=self.context),
                )
                for b in req.branches
            },
            JoinPolicy(mode="all", veto=True),
        )  # fmt: skip
        failed = {v.branch: v.comment for v in joined.verdicts if v.verdict == "rejected"}
        if failed:
            why = "; ".join(failed.values())
            return await self.finish(
                LaunchResult, "not_launched", why, join=joined, failed_branches=failed
            )

        self.set_stage("waiting_for_launch_date")
        wait = req.launch_at - workflow.now()
        if wait.total_seconds() > 0:
            workflow.set_current_details(f"launching at {req.launch_at.isoformat()}")
            await workflow.sleep(wait, summary=f"launch at {req.launch_at.isoformat()}")
        launched = await self.book(
            "launch",
            BookingActivities.record_launch,
            LaunchRecordInput,
            summary=f"launch {req.product}",
            product=req.product,
            branches=[b.name for b in req.branches],
        )
        return await self.finish(
            LaunchResult,
            "launched",
            f"launched as {launched.reference}",
            join=joined,
            failed_branches={},
            launched_at=workflow.now(),
            launch_reference=launched.reference,
        )
