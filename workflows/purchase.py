"""Purchase approval: a decision table routes the request (automatic, manager, director,
CFO, plus IT review for IT purchases); every routed approver decides in rule order."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.rules_driven import PurchaseInput, PurchaseResult

from workflows.human import HumanWorkflow


@workflow.defn(name="PurchaseApproval")
class PurchaseApproval(HumanWorkflow):
    @workflow.run
    async def run(self, input: PurchaseInput) -> PurchaseResult:
        input = await self.begin(input)
        req = input.request
        route = input.route()
        self.log(
            f"routed by {route.table} v{route.version}: rules {', '.join(route.rules)}",
            step="route",
        )
        if "automatic" in route.values("approver"):
            self.system_decision("automatic_approval", "approve", "under the approval threshold")
        approved, rejection = await self.approval_chain(route, input.what())
        fields = {"amount": req.amount, "route": route, "approvers": approved}
        if rejection is not None:
            return await self.rejected(PurchaseResult, rejection, **fields)
        return await self.finish(
            PurchaseResult, "approved", f"approved ({', '.join(route.rules)})", **fields
        )
