"""Benchmark workflows: each scenario twice, with the project's mechanisms (A) and as a
minimal hand-written temporalio baseline (B) doing the same Temporal work."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.join import JoinPolicy
    from valuechain.models.common import Model, RunContext, WorkflowInput
    from valuechain.models.parallel import BranchVerdict
    from valuechain.models.result import RunResult

from workflows.human import HumanWorkflow
from workflows.parallel import ParallelWorkflow

TIMEOUT = timedelta(seconds=30)


class Work(Model):
    n: int


class Done(Model):
    n: int


class BenchActivities:
    # A `def` on the activity threads, as every activity of the project's is.
    @activity.defn(name="bench_work")
    def work(self, input: Work) -> Done:
        return Done(n=input.n)


class BenchInput(WorkflowInput):
    steps: int
    context: RunContext | None = None


class BenchResult(RunResult):
    status: str
    done: int


# -- A: the project's mechanisms -------------------------------------------------------


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


# -- B: the baseline -----------------------------------------------------------------


@workflow.defn(name="BenchChainB")
class ChainB:
    @workflow.run
    async def run(self, input: BenchInput) -> int:
        for i in range(input.steps):
            await workflow.execute_activity_method(
                BenchActivities.work, Work(n=i), start_to_close_timeout=TIMEOUT
            )
        return input.steps


@workflow.defn(name="BenchFanOutB")
class FanOutB:
    @workflow.run
    async def run(self, input: BenchInput) -> int:
        done = await asyncio.gather(*(
            workflow.execute_activity_method(
                BenchActivities.work, Work(n=i), start_to_close_timeout=TIMEOUT
            )
            for i in range(input.steps)
        ))  # fmt: skip
        return len(done)


class Decision(Model):
    step: str


@workflow.defn(name="BenchHumanB")
class HumanB:
    def __init__(self) -> None:
        self.decided: set[str] = set()
        self.opened: dict[str, float] = {}

    @workflow.update
    def decide(self, input: Decision) -> None:
        self.decided.add(input.step)

    @workflow.query
    def opened_at(self) -> dict[str, float]:
        return self.opened

    @workflow.run
    async def run(self, input: BenchInput) -> int:
        for step in ("first", "second"):
            self.opened[step] = workflow.now().timestamp()

            def decided(step: str = step) -> bool:
                return step in self.decided

            await workflow.wait_condition(decided)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return 2


A = [ChainA, FanOutA, HumanA]
B = [ChainB, FanOutB, HumanB]
