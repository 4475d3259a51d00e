"""What every order-to-cash stage shares: a workflow type of its own that can run alone
or as a child of the OrderToCash process, takes the previous stage's output as its input,
and tags itself with the order and customer so the Web UI lists an order with its stages."""

from __future__ import annotations

from typing import TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain import search
    from valuechain.models.orders import StageInput

from workflows.human import HumanWorkflow
from workflows.human.flat import flattened
from workflows.human.system import R

In = TypeVar("In", bound=StageInput)


@flattened
class OrderStage(HumanWorkflow[R]):
    outcome_notice = False  # the order's process tells the customer, not each stage

    async def begin_stage(self, input: In) -> In:
        """`begin`, and the order's tags."""
        input = await self.begin(input)
        self.tag(*search.order_tags(input.order.order_id, input.order.customer))
        return input
