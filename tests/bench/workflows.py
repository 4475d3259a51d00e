"""Benchmark workflows with the project's mechanisms (A); the hand-written baseline
doing the same Temporal work (B) is in `baseline.py`, apart, so that its runs do not
import the project's workflow code."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.bench.models import BenchActivities, BenchInput, BenchResult, Work
    from valuechain.join import JoinPolicy
    from valuechain.models.parallel import BranchVerdict

from workflows.human import HumanWorkflow
from workflows.parallel import ParallelWorkflow


@workflow.defn(name="BenchChainA")
class ChainA(HumanWorkflow):
    @workflow.run
    async def run(self, input: BenchInput) -> BenchResult:
        await self.begin(input, f"chain of {input.steps}", "bench")
        for i in range(input.steps):
            await self.automated(f"step_{i}", BenchActivities.work, Work(n=i), f"step {i}")
        return await self.finish(BenchResult, "done", "done", done=input.steps)


@workflow.defn(name="BenchFanOutA")
class FanOutA(ParallelWorkflow):
    @workflow.run
    async def run(self, input: BenchInput) -> BenchResult:
        await self.begin(input, f"fan-out of {input.steps}", "bench")

        async def branch(i: int) -> BranchVerdict:
            await self.automated(f"branch_{i}", BenchActivities.work, Work(n=i), f"branch {i}")
            return BranchVerdict(branch=f"b{i}", verdict="approved")

        async def nothing(_: list[str]) -> None:
            return None

        joined = await self.join(
            {f"b{i}": branch(i) for i in range(input.steps)}, JoinPolicy(), nothing
        )
        return await self.finish(BenchResult, "done", "done", done=len(joined.verdicts))


@workflow.defn(name="BenchHumanA")
class HumanA(HumanWorkflow):
    @workflow.run
    async def run(self, input: BenchInput) -> BenchResult:
        await self.begin(input, "two human steps", "bench")
        for step in ("first", "second"):
            await self.human_step(self.spec(step, "manager", ["approve"], escalate_to="director"))
        return await self.finish(BenchResult, "done", "done", done=2)


A = [ChainA, FanOutA, HumanA]
