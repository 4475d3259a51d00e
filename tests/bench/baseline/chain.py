"""The baseline's chain: one activity after another."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.bench.models import TIMEOUT, BenchActivities, BenchInput, Work


@workflow.defn(name="BenchChainB")
class ChainB:
    @workflow.run
    async def run(self, input: BenchInput) -> int:
        for i in range(input.steps):
            await workflow.execute_activity_method(
                BenchActivities.work, Work(n=i), start_to_close_timeout=TIMEOUT
            )
        return input.steps
