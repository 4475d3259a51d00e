"""Expense reimbursement: manager review (approve / reject / send back to the employee),
finance approval, then the payout booked in the system of record."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.bookings import BookingActivities
    from valuechain.models.expense import ExpenseInput, ExpenseResult
    from valuechain.models.records import PayoutInput

from workflows.human import HumanWorkflow


@workflow.defn(name="ExpenseReimbursement")
class ExpenseReimbursement(HumanWorkflow):
    @workflow.run
    async def run(self, input: ExpenseInput) -> ExpenseResult:
        req = input.request
        self.begin(
            f"expense {req.amount} {req.currency} ({req.category}) for {req.employee}",
            req.employee,
            input.context,
            amount=req.amount,
        )
        money = {"amount": req.amount, "currency": req.currency}

        send_backs = 0
        while True:
            manager_decisions = ["approve", "reject"]
            if send_backs < req.max_send_backs:
                manager_decisions.append("send_back")
            review = await self.human_step(
                self.spec(
                    "manager_review",
                    "manager",
                    manager_decisions,
                    escalate_to="director",
                    requires={"reject": ["comment"], "send_back": ["comment"]},
                )
            )
            if review.decision == "reject":
                return await self.rejected(ExpenseResult, review, **money)
            if review.decision == "approve":
                break
            send_backs += 1
            revision = await self.human_step(
                self.spec(
                    "employee_revision",
                    "employee",
                    ["resubmit", "withdraw"],
                    escalate_to="manager",
                    assignee=req.employee,
                    four_eyes=False,
                    summary=f"sent back by {review.actor}: {review.comment}",
                )
            )
            if revision.decision == "withdraw":
                return await self.finish(
                    ExpenseResult, "withdrawn", f"withdrawn by {req.employee}", **money
                )

        approval = await self.approval(
            "finance_approval", "finance", escalate_to="finance_director"
        )
        if approval.decision == "reject":
            return await self.rejected(ExpenseResult, approval, **money)

        payout = await self.book(
            "payout",
            BookingActivities.pay_expense,
            PayoutInput,
            summary=f"pay {req.amount} {req.currency} to {req.payee_account}",
            expense_id=workflow.info().workflow_id,
            employee=req.employee,
            payee_account=req.payee_account,
            amount=req.amount,
            currency=req.currency,
        )
        return await self.finish(
            ExpenseResult,
            "paid",
            f"paid as {payout.reference}",
            payout_reference=payout.reference,
            **money,
        )
