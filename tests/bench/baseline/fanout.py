"""The baseline's fan-out: every activity at once, gathered."""

from __future__ import annotations

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.bench.models import TIMEOUT, BenchActivities, BenchInput, Work


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
