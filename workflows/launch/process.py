"""New product launch: marketing, sales and support prepare at once, each a child
workflow with its own human steps; the launch waits for all of them and happens on the
launch date (a durable timer). A branch that fails is reported by name and the launch
does not go ahead."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.bookings import BookingActivities
    from valuechain.join import JoinPolicy
    from valuechain.models.parallel import BranchInput, LaunchInput, LaunchResult

    # Started by its class, none of its code run here: taken from outside the sandbox,
    # so that the launch's run does not define the branch's class again.
    from workflows.launch.branch import LaunchBranch

from workflows.parallel import ParallelWorkflow


@workflow.defn(name="ProductLaunch")
class ProductLaunch(ParallelWorkflow[LaunchResult]):
    @workflow.run
    async def run(self, input: LaunchInput) -> LaunchResult:
        input = await self.begin(input)
        req = input.request
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
        failed = joined.failed
        if failed:
            why = "; ".join(failed.values())
            return await self.finish("not_launched", why, join=joined, failed_branches=failed)

        self.set_stage("waiting_for_launch_date")
        await self.wait_until(req.launch_at, "launching", "launch", step="launch")
        launched = await self.book(
            "launch",
            BookingActivities.record_launch,
            summary=f"launch {req.product}",
            product=req.product,
            branches=[b.name for b in req.branches],
        )
        return await self.finish(
            "launched",
            f"launched as {launched.reference}",
            join=joined,
            failed_branches={},
            launched_at=workflow.now(),
            launch_reference=launched.reference,
        )
