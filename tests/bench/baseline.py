"""The benchmark's baseline (B): minimal hand-written temporalio workflows doing the
same Temporal work as A's, with none of the project's workflow code."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.bench.models import BenchActivities, BenchInput, Decision, Work

TIMEOUT = timedelta(seconds=30)


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


B = [ChainB, FanOutB, HumanB]
