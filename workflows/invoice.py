"""Invoice approval: a decision table picks the approver by amount and vendor (over
$10,000 needs the CFO); the approver is reminded while the invoice waits."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.rules_driven import InvoiceInput, InvoiceResult

from workflows.human import HumanWorkflow


@workflow.defn(name="InvoiceApproval")
class InvoiceApproval(HumanWorkflow[InvoiceResult]):
    @workflow.run
    async def run(self, input: InvoiceInput) -> InvoiceResult:
        input = await self.begin(input)
        req = input.request
        routed = await self.approve_as_routed(input, self.subject)
        fields = {"amount": req.amount, "route": routed.route}
        if routed.rejection is not None:
            return await self.rejected(routed.rejection, **fields)
        return await self.finish("approved", "approved for payment", **fields)
