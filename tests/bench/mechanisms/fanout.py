"""A fan-out of automated branches and their join with the project's mechanisms."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.bench.models import BenchActivities, BenchInput, BenchResult, Work
    from valuechain.join import JoinPolicy
    from valuechain.models.parallel import BranchVerdict

from workflows.parallel import ParallelWorkflow


@workflow.defn(name="BenchFanOutA")
class FanOutA(ParallelWorkflow[BenchResult]):
    @workflow.run
    async def run(self, input: BenchInput) -> BenchResult:
        input = await self.begin(input)

        async def branch(i: int) -> BranchVerdict:
            await self.automated(f"branch_{i}", BenchActivities.work, Work(n=i), f"branch {i}")
            return BranchVerdict(branch=f"b{i}", verdict="approved")

        async def nothing(_: list[str]) -> None:
            return None

        joined = await self.join(
            {f"b{i}": branch(i) for i in range(input.steps)}, JoinPolicy(), nothing
        )
        return await self.finish("done", "done", done=len(joined.verdicts))
