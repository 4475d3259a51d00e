"""A chain of automated steps with the project's mechanisms."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.bench.models import BenchActivities, BenchInput, BenchResult, Work

from workflows.human import HumanWorkflow


@workflow.defn(name="BenchChainA")
class ChainA(HumanWorkflow[BenchResult]):
    @workflow.run
    async def run(self, input: BenchInput) -> BenchResult:
        input = await self.begin(input)
        for i in range(input.steps):
            await self.automated(f"step_{i}", BenchActivities.work, Work(n=i), f"step {i}")
        return await self.finish("done", "done", done=input.steps)
