"""Getting paid: payments, dunning and the collections step."""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.order_to_cash import OrderActivities
    from valuechain import search
    from valuechain.messages import Raw, parse
    from valuechain.models.human import DecisionInput
    from valuechain.models.orders import (
        CollectionInput,
        CollectionResult,
        IssuedInvoice,
        Payment,
        PaymentInput,
        PaymentOutput,
        RecordPaymentInput,
    )
    from valuechain.models.records import BookingOutput

from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="Collection")
class Collection(OrderStage[CollectionResult]):
    """Wait for payment until the due date, reminding the customer on the dunning
    cadence; then a collections step. Payments arrive as an update (validated) or, from
    the process, a signal; each is booked once. Long waits continue as new."""

    @workflow.init
    def __init__(self, input: CollectionInput) -> None:
        # From the input, not in run(): an update can arrive before run() begins.
        super().__init__()
        self._invoice: IssuedInvoice | None = input.invoice
        self._payments: list[Payment] = list(input.payments)
        self._queued: list[PaymentInput] = []
        self._escalation: asyncio.Task[DecisionInput] | None = None
        self._context = input.context  # the keys a payment's signature is checked against

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self._payments), Decimal(0))

    def _outstanding(self) -> Decimal:
        queued = sum((p.amount for p in self._queued), Decimal(0))
        total = self._invoice.amount if self._invoice else Decimal(0)
        return total - self.paid - queued

    @workflow.signal(name="payment")
    def payment(self, input: PaymentInput) -> None:
        self._queued.append(input)

    @workflow.update
    async def record_payment(self, input: PaymentInput | Raw) -> PaymentOutput:
        input = parse(PaymentInput, input, "payment")
        self._queued.append(input)
        await workflow.wait_condition(
            lambda: any(p.payment_id == input.payment_id for p in self._payments)
        )
        return PaymentOutput(
            payment_id=input.payment_id,
            accepted=input.amount,
            paid=self.paid,
            outstanding=self._outstanding(),
        )

    @record_payment.validator
    def _check_payment(self, input: PaymentInput | Raw) -> None:
        input = parse(PaymentInput, input, "payment")
        self.check_signed(input, input.signature, "record_payment", "payment")
        seen = [p.payment_id for p in self._payments] + [p.payment_id for p in self._queued]
        check_payment(self._invoice, seen, self._outstanding(), input)

    @workflow.run
    async def run(self, input: CollectionInput) -> CollectionResult:
        input = await self.begin(input)
        invoice = input.invoice
        reminders = input.reminders_sent
        self.tag(*search.order_tags(invoice.order_id, invoice.customer))
        self.set_stage("awaiting_payment")

        while True:
            while self._queued:
                await self._book_payment(invoice, self._queued[0])
                self._queued.pop(0)
            if self.paid >= invoice.amount:
                if self._escalation is not None:
                    await self.close_open_tasks("paid in full")
                    await self._escalation
                return await self._done(input, "paid", reminders, self._escalation is not None)
            if self._escalation is not None and self._escalation.done():
                decided = self._escalation.result()
                status = "collected" if decided.decision == "collected" else "written_off"
                return await self._done(input, status, reminders, True)

            now = workflow.now()
            if self._escalation is None and now >= invoice.due_at:
                self.log(
                    f"{invoice.number} is past due; escalating to collections",
                    "collect",
                    warning=True,
                )
                self._escalation = asyncio.create_task(
                    self.human_step(
                        self.spec(
                            "collections",
                            "collections",
                            ["collected", "write_off"],
                            escalate_to="finance_director",
                            requires={"collected": ["comment"], "write_off": ["comment"]},
                            summary=f"collect {self._outstanding()} on {invoice.number}",
                        )
                    )
                )
                continue
            next_reminder = invoice.issued_at + input.dunning_every * (reminders + 1)
            if self._escalation is None and now >= next_reminder:
                reminders += 1
                await self.notify(
                    "reminder",
                    invoice.customer,
                    f"Reminder {reminders}: {invoice.number}",
                    f"{self._outstanding()} outstanding, due {invoice.due_at.date()}",
                    step="dunning",
                    key_suffix=f"{input.runs}-{reminders}",
                )
                continue
            # Not while a person holds the collections step: that task lives in this run.
            if self._escalation is None and self._should_continue_as_new(input):
                await self.flush_notices()
                await workflow.wait_condition(workflow.all_handlers_finished)
                if not self._queued:
                    workflow.continue_as_new(
                        input.model_copy(
                            update={
                                "payments": self._payments,
                                "reminders_sent": reminders,
                                "runs": input.runs + 1,
                            }
                        )
                    )
            wake = None if self._escalation else min(next_reminder, invoice.due_at) - now
            # A timeout is a reminder or the due date: the next turn of the loop says which.
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(
                    lambda: (
                        bool(self._queued)
                        or (self._escalation is not None and self._escalation.done())
                    ),
                    timeout=wake,
                    timeout_summary="next dunning reminder or due date",
                )

    def _should_continue_as_new(self, input: CollectionInput) -> bool:
        info = workflow.info()
        too_long = (
            input.continue_after_events is not None
            and info.get_current_history_length() > input.continue_after_events
        )
        return too_long or info.is_continue_as_new_suggested()

    async def _book_payment(self, invoice: IssuedInvoice, p: PaymentInput) -> None:
        booked: BookingOutput = await self.automated(
            "payment",
            OrderActivities.record_payment,
            RecordPaymentInput(
                key=f"{invoice.order_id}:payment:{p.payment_id}",
                step="payment",
                order_id=invoice.order_id,
                customer=invoice.customer,
                invoice=invoice.number,
                payment_id=p.payment_id,
                amount=p.amount,
            ),
            f"book payment {p.payment_id} of {p.amount}",
        )
        self._payments.append(
            Payment(
                payment_id=p.payment_id,
                amount=p.amount,
                at=workflow.now(),
                reference=booked.reference,
            )
        )

    async def _done(
        self, input: CollectionInput, status: str, reminders: int, escalated: bool
    ) -> CollectionResult:
        inv = input.invoice
        return await self.finish(
            status,
            f"{status}: {self.paid} of {inv.amount} received",
            invoice=inv.number,
            amount=inv.amount,
            paid=self.paid,
            payments=self._payments,
            reminders_sent=reminders,
            escalated=escalated,
            runs=input.runs,
        )


def check_payment(
    invoice: IssuedInvoice | None, seen: list[str], outstanding: Decimal, input: PaymentInput
) -> None:
    """The one rule for an incoming payment, used by Collection and by the process."""
    if invoice is None:
        raise ValueError("no invoice has been issued for this order yet")
    if input.payment_id in seen:
        raise ValueError(f"payment {input.payment_id} was already received")
    if input.amount > outstanding:
        raise ValueError(f"payment of {input.amount} is more than the {outstanding} outstanding")
