"""What every order-to-cash stage shares: a workflow type of its own that can run alone
or as a child of the OrderToCash process, takes the previous stage's output as its input,
and tags itself with the order and customer so the Web UI lists an order with its stages."""

from __future__ import annotations

from typing import TypeVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain import search
    from valuechain.models.common import WorkflowInput
    from valuechain.models.orders import (
        PricedOrder,
    )

from workflows.human import HumanWorkflow
from workflows.human.flat import flattened

In = TypeVar("In", bound=WorkflowInput)


@flattened
class OrderStage(HumanWorkflow):
    outcome_notice = False  # the order's process tells the customer, not each stage

    async def begin_stage(self, input: In, what: str, order: PricedOrder) -> In:
        input = await self.begin(
            input, f"{what} for order {order.order_id}", order.customer, order.total
        )
        self.tag(*search.order_tags(order.order_id, order.customer))
        return input
