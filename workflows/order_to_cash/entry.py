"""The first stage: order entry, priced from the catalogue."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.order_to_cash import OrderActivities
    from valuechain import search
    from valuechain.models.orders import OrderEntryInput, OrderEntryResult, PricedOrder, PriceInput

from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="OrderEntry")
class OrderEntry(OrderStage[OrderEntryResult]):
    @workflow.run
    async def run(self, input: OrderEntryInput) -> OrderEntryResult:
        input = await self.begin(input)
        req = input.request
        self.tag(*search.order_tags(req.order_id, req.customer))
        order: PricedOrder = await self.automated(
            "price", OrderActivities.price_order, PriceInput(request=req), "price the order"
        )
        return await self.finish("entered", f"order total {order.total}", order=order)
