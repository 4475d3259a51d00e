"""The baseline's human steps: an update per step, the run waiting for each."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.bench.models import BenchInput, Decision


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
