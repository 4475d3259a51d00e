"""The first stages: order entry (priced from the catalogue) and the credit check."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.order_to_cash import OrderActivities
    from valuechain import search
    from valuechain.models.orders import (
        CheckCreditInput,
        CreditDecision,
        CreditInput,
        CreditResult,
        OrderEntryInput,
        OrderEntryResult,
        PricedOrder,
        PriceInput,
    )

from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="OrderEntry")
class OrderEntry(OrderStage):
    @workflow.run
    async def run(self, input: OrderEntryInput) -> OrderEntryResult:
        req = input.request
        await self.begin(input, f"order entry for order {req.order_id}", req.customer)
        self.tag(*search.order_tags(req.order_id, req.customer))
        order: PricedOrder = await self.automated(
            "price", OrderActivities.price_order, PriceInput(request=req), "price the order"
        )
        return await self.finish(
            OrderEntryResult, "entered", f"order total {order.total}", order=order
        )


@workflow.defn(name="CreditCheck")
class CreditCheck(OrderStage):
    @workflow.run
    async def run(self, input: CreditInput) -> CreditResult:
        order = input.order
        await self.begin_stage(input, "credit check", order)
        decision: CreditDecision = await self.automated(
            "check_credit",
            OrderActivities.check_credit,
            CheckCreditInput(customer=order.customer, amount=order.total),
            f"check {order.customer}'s credit for {order.total}",
        )
        status = "approved" if decision.approved else "refused"
        return await self.finish(CreditResult, status, decision.reason, decision=decision)
