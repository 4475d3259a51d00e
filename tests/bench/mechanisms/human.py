"""Two human steps one after the other with the project's mechanisms."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.bench.models import BenchInput, BenchResult

from workflows.human import HumanWorkflow


@workflow.defn(name="BenchHumanA")
class HumanA(HumanWorkflow[BenchResult]):
    @workflow.run
    async def run(self, input: BenchInput) -> BenchResult:
        input = await self.begin(input)
        for step in ("first", "second"):
            await self.human_step(self.spec(step, "manager", ["approve"], escalate_to="director"))
        return await self.finish("done", "done", done=2)
