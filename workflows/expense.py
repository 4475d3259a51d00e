"""Expense reimbursement: manager review (approve / reject / send back to the employee),
finance approval, then the payout booked in the system of record."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.bookings import BookingActivities
    from valuechain.models.expense import ExpenseInput, ExpenseResult

from workflows.human import HumanWorkflow


@workflow.defn(name="ExpenseReimbursement")
class ExpenseReimbursement(HumanWorkflow[ExpenseResult]):
    @workflow.run
    async def run(self, input: ExpenseInput) -> ExpenseResult:
        input = await self.begin(input)
        req = input.request
        money = {"amount": req.amount, "currency": req.currency}

        reviewed = await self.review_rounds(
            lambda decisions, _: self.spec(
                "manager_review", "manager", decisions, escalate_to="director"
            ),
            lambda review: self.spec(
                "employee_revision",
                "employee",
                ["resubmit", "withdraw"],
                escalate_to="manager",
                summary=f"sent back by {review.actor}: {review.comment}",
            ),
            req.max_send_backs,
        )
        if reviewed.decision.decision == "reject":
            return await self.rejected(reviewed.decision, **money)
        if reviewed.decision.decision == "withdraw":
            return await self.finish("withdrawn", f"withdrawn by {req.employee}", **money)

        approval = await self.approval(
            "finance_approval", "finance", escalate_to="finance_director"
        )
        if approval.decision == "reject":
            return await self.rejected(approval, **money)

        payout = await self.book(
            "payout", BookingActivities.pay_expense,
            f"pay {req.amount} {req.currency} to {req.payee_account}",
            expense_id=workflow.info().workflow_id, employee=req.employee,
            payee_account=req.payee_account, amount=req.amount, currency=req.currency,
        )  # fmt: skip
        return await self.finish(
            "paid",
            f"paid as {payout.reference}",
            payout_reference=payout.reference,
            **money,
        )
