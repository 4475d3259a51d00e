"""What the order answers and accepts while it runs: the carrier's delivery, the bank's
payments and the customer's cancellation as updates (each checked by a validator before
anything is written), the `order` query, and the state they share with the process."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.messages import Raw, parse
    from valuechain.models.orders import (
        CancelInput,
        CancelOutput,
        DeliveryInput,
        DeliveryOutput,
        IssuedInvoice,
        OrderView,
        PaymentInput,
        PaymentOutput,
    )

from workflows.human import HumanWorkflow
from workflows.human.flat import flattened
from workflows.human.system import R
from workflows.order_to_cash.stages import Collection, Shipping, check_delivery, check_payment


@flattened
class OrderEvents(HumanWorkflow[R]):
    def __init__(self) -> None:
        HumanWorkflow.__init__(self)  # by name, not super(): see workflows/human/flat.py
        self._at = "start"  # the stage the order is at (also the published stage)
        self._children: dict[str, workflow.ChildWorkflowHandle[Any, Any]] = {}
        self._cancel: CancelInput | None = None
        self._shipment: str | None = None
        self._delivered = False
        self._invoice: IssuedInvoice | None = None
        self._payments: list[PaymentInput] = []
        self._finished = False
        self._customer = ""
        self._total: Decimal | None = None

    # -- outside events ---------------------------------------------------------------

    @workflow.signal(name="shipped")
    def shipped(self, shipment: str) -> None:
        self._shipment = shipment

    @workflow.update
    async def shipment_delivered(self, input: DeliveryInput | Raw) -> DeliveryOutput:
        input = parse(DeliveryInput, input, "delivery")
        self._delivered = True
        await self._children["shipping"].signal(Shipping.delivered, input)
        return DeliveryOutput(shipment=input.shipment, delivered_at=input.delivered_at
                              or workflow.now())  # fmt: skip

    @shipment_delivered.validator
    def _check_delivery(self, input: DeliveryInput | Raw) -> None:
        input = parse(DeliveryInput, input, "delivery")
        self._check_open()
        self.check_signed(input, input.signature, "shipment_delivered", "delivery")
        check_delivery(self._shipment, self._delivered, input)

    @workflow.update
    async def payment_received(self, input: PaymentInput | Raw) -> PaymentOutput:
        input = parse(PaymentInput, input, "payment")
        self._payments.append(input)
        await self._children["collection"].signal(Collection.payment, input)
        return PaymentOutput(payment_id=input.payment_id, accepted=input.amount,
                             paid=self._paid(), outstanding=self._outstanding())  # fmt: skip

    @payment_received.validator
    def _check_payment(self, input: PaymentInput | Raw) -> None:
        input = parse(PaymentInput, input, "payment")
        self._check_open()
        self.check_signed(input, input.signature, "payment_received", "payment")
        invoice = self._invoice if self._accepting_payments() else None
        seen = [p.payment_id for p in self._payments]
        check_payment(invoice, seen, self._outstanding(), input)

    @workflow.update
    def cancel(self, input: CancelInput | Raw) -> CancelOutput:
        input = parse(CancelInput, input, "cancellation")
        self._cancel = input
        self.log(f"cancelled by {input.by}: {input.reason}", step=self._at)
        return CancelOutput(accepted_at_stage=self._at)

    @cancel.validator
    def _check_cancel(self, input: CancelInput | Raw) -> None:
        parse(CancelInput, input, "cancellation")
        self._check_open()
        if self._cancel is not None:
            raise ValueError(f"the order is already being cancelled: {self._cancel.reason}")

    def summary_line(self) -> str:
        total = f", total {self._total}" if self._total is not None else ""
        return f"order {workflow.info().workflow_id} for {self._customer}{total}; stage {self._at}"

    @workflow.query
    def order(self) -> OrderView:
        return OrderView(
            order_id=workflow.info().workflow_id,
            stage=self._at,
            shipment=self._shipment,
            delivered=self._delivered,
            invoice=self._invoice.number if self._invoice else None,
            amount_due=self._invoice.amount if self._invoice else Decimal(0),
            paid=self._paid(),
            outstanding=self._outstanding(),
            cancelling=self._cancel is not None,
            finished=self._finished,
            accepting_payments=self._accepting_payments(),
        )

    def _accepting_payments(self) -> bool:
        return "collection" in self._children and not self._finished and self._cancel is None

    def _check_open(self) -> None:
        if self._finished:
            raise ValueError(f"the order is closed ({self._at})")

    def _paid(self) -> Decimal:
        return sum((p.amount for p in self._payments), Decimal(0))

    def _outstanding(self) -> Decimal:
        return (self._invoice.amount if self._invoice else Decimal(0)) - self._paid()

    # -- the chain ----------------------------------------------------------------------
