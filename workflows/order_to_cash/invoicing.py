"""Invoicing: the invoice issued, and the customer told."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.order_to_cash import OrderActivities
    from valuechain.models.orders import (
        InvoiceIssueInput,
        InvoiceOrderInput,
        InvoicingResult,
        IssuedInvoice,
    )

from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="Invoicing")
class Invoicing(OrderStage[InvoicingResult]):
    @workflow.run
    async def run(self, input: InvoiceIssueInput) -> InvoicingResult:
        input = await self.begin_stage(input)
        order = input.order
        issued_at = workflow.now()
        due_at = issued_at + input.payment_terms
        booked = await self.automated(
            "invoice",
            OrderActivities.issue_invoice,
            InvoiceOrderInput(
                key=f"{order.order_id}:invoice", step="invoice", order=order, due_at=due_at
            ),
            f"invoice {order.total} due {due_at.date()}",
        )
        invoice = IssuedInvoice(
            number=booked.reference, order_id=order.order_id, customer=order.customer,
            amount=order.total, issued_at=issued_at, due_at=due_at,
        )  # fmt: skip
        await self.notify(
            "info",
            order.customer,
            f"Invoice {invoice.number}",
            f"{invoice.amount} due {due_at.date()}",
            step="invoice",
        )
        return await self.finish("issued", f"invoice {booked.reference}", invoice=invoice)
