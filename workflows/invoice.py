"""Invoice approval: a decision table picks the approver by amount and vendor (over
$10,000 needs the CFO); the approver is reminded while the invoice waits."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.rules_driven import InvoiceInput, InvoiceResult

from workflows.human import HumanWorkflow, loaded


@workflow.defn(name="InvoiceApproval")
class InvoiceApproval(HumanWorkflow):
    @workflow.run
    async def run(self, input: InvoiceInput) -> InvoiceResult:
        req = input.request
        summary = f"invoice {req.invoice_number} from {req.vendor}, {req.amount} {req.currency}"
        input = await self.begin(input, summary, req.submitted_by, req.amount)
        route = loaded(input.table).evaluate({"amount": req.amount, "vendor": req.vendor})
        self.log(f"routed by {route.table} v{route.version}: rule {route.rules}", step="route")
        _, rejection = await self.approval_chain(route, summary)
        if rejection is not None:
            return await self.rejected(
                InvoiceResult,
                rejection,
                amount=req.amount,
                route=route,
            )
        return await self.finish(
            InvoiceResult, "approved", "approved for payment", amount=req.amount, route=route
        )
