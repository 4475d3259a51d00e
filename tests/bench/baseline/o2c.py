"""The baseline order-to-cash: a parent runs eight children one after another, one
activity each; shipping and collection wait for the outside event the parent forwards."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.bench.models import BaselineActivities, Step

STAGES = ["order_entry", "credit_check", "stock_check", "pick_pack", "shipment_planning",
          "shipping", "invoicing", "collection"]  # fmt: skip
WAITS = {"shipping": "delivered", "collection": "paid"}


@workflow.defn(name="BaselineStage")
class BaselineStage:
    def __init__(self) -> None:
        self.events: set[str] = set()

    @workflow.signal
    def event(self, name: str) -> None:
        self.events.add(name)

    @workflow.run
    async def run(self, input: Step) -> str:
        if input.stage != "shipment_planning":
            await workflow.execute_activity_method(
                BaselineActivities.step, input, start_to_close_timeout=timedelta(seconds=30)
            )
        wait = WAITS.get(input.stage)
        if wait:
            await workflow.wait_condition(lambda: wait in self.events)
        return input.stage


@workflow.defn(name="BaselineOrderToCash")
class BaselineOrderToCash:
    def __init__(self) -> None:
        self.stage = ""
        self.child: workflow.ChildWorkflowHandle[Any, Any] | None = None

    @workflow.query
    def current(self) -> str:
        return self.stage if self.child is not None else ""

    @workflow.update
    async def event(self, name: str) -> None:
        assert self.child is not None
        await self.child.signal(BaselineStage.event, name)

    @event.validator
    def _check(self, name: str) -> None:
        if self.child is None or WAITS.get(self.stage) != name:
            raise ValueError(f"not waiting for {name}")

    @workflow.run
    async def run(self, order_id: str) -> str:
        for stage in STAGES:
            self.stage, self.child = stage, None
            self.child = await workflow.start_child_workflow(
                BaselineStage.run, Step(order_id=order_id, stage=stage), id=f"{order_id}-{stage}"
            )
            await self.child
        await workflow.wait_condition(workflow.all_handlers_finished)
        return "paid"
