"""The credit check: the customer's exposure against their limit."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.order_to_cash import OrderActivities
    from valuechain.models.orders import CheckCreditInput, CreditDecision, CreditInput, CreditResult

from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="CreditCheck")
class CreditCheck(OrderStage[CreditResult]):
    @workflow.run
    async def run(self, input: CreditInput) -> CreditResult:
        input = await self.begin_stage(input)
        order = input.order
        decision: CreditDecision = await self.automated(
            "check_credit",
            OrderActivities.check_credit,
            CheckCreditInput(customer=order.customer, amount=order.total),
            f"check {order.customer}'s credit for {order.total}",
        )
        status = "approved" if decision.approved else "refused"
        return await self.finish(status, decision.reason, decision=decision)
