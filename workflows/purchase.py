"""Purchase approval: a decision table routes the request (automatic, manager, director,
CFO, plus IT review for IT purchases); every routed approver decides in rule order."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.rules_driven import PurchaseInput, PurchaseResult

from workflows.human import HumanWorkflow


@workflow.defn(name="PurchaseApproval")
class PurchaseApproval(HumanWorkflow[PurchaseResult]):
    @workflow.run
    async def run(self, input: PurchaseInput) -> PurchaseResult:
        input = await self.begin(input)
        req = input.request
        routed = await self.approve_as_routed(input, input.what())
        fields = {"amount": req.amount, "route": routed.route, "approvers": routed.approvers}
        if routed.rejection is not None:
            return await self.rejected(routed.rejection, **fields)
        rules = ", ".join(routed.route.rules)
        return await self.finish("approved", f"approved ({rules})", **fields)
