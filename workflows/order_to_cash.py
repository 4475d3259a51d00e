"""Order-to-cash, the process: order entry -> credit check -> stock check (production
when short) -> pick and pack -> shipment planning -> shipping -> invoicing -> collection,
each stage a child workflow started the moment the previous one completes, with the
previous one's output as its input. The order id is the workflow id.

Outside events come to the order as updates, checked by validators: a payment (full or
partial), the carrier's delivery, the customer's cancellation. A cancellation, or a
stage that fails for good, undoes what the order booked in reverse order (refund the
payments, void the invoice, cancel the shipment, release the stock); each undo is
idempotent, and the result (or the failure) says what was undone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.exceptions import ApplicationError, CancelledError, ChildWorkflowError

with workflow.unsafe.imports_passed_through():
    from activities.orders import OrderActivities
    from valuechain import search
    from valuechain.messages import Raw, parse
    from valuechain.models.orders import (
        CancelInput,
        CancelOutput,
        CollectionInput,
        CollectionResult,
        CreditInput,
        DeliveryInput,
        DeliveryOutput,
        InvoiceIssueInput,
        IssuedInvoice,
        OrderEntryInput,
        OrderToCashInput,
        OrderToCashResult,
        OrderView,
        PackInput,
        PaymentInput,
        PaymentOutput,
        PlanInput,
        ShipInput,
        StockInput,
        UndoInput,
        UndoOutput,
    )
    from valuechain.models.result import RunResult, StageOutcome

from workflows.human import HumanWorkflow
from workflows.order_stages import (
    Collection,
    CreditCheck,
    Invoicing,
    OrderEntry,
    PickPack,
    ShipmentPlanning,
    Shipping,
    StockCheck,
    check_delivery,
    check_payment,
)

In = TypeVar("In")  # a stage's input
S = TypeVar("S", bound=RunResult)  # a stage's result


class OrderCancelled(Exception):
    """Raised inside the process when the customer's cancellation stops a stage."""


# Undo steps, latest stage first.
UNDO: list[tuple[str, Callable[[Any, UndoInput], UndoOutput]]] = [
    ("refund_payments", OrderActivities.refund_payments),
    ("void_invoice", OrderActivities.void_invoice),
    ("cancel_shipment", OrderActivities.cancel_shipment),
    ("release_stock", OrderActivities.release_stock),
]


@workflow.defn(name="OrderToCash")
class OrderToCash(HumanWorkflow):
    def __init__(self) -> None:
        super().__init__()
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

    @workflow.run
    async def run(self, input: OrderToCashInput) -> OrderToCashResult:
        req, cfg, ctx = input.request, input.settings, input.context
        order_id = workflow.info().workflow_id
        self._customer = req.customer
        self.begin(f"order {req.order_id} from {req.customer}", req.customer, ctx)
        workflow.upsert_search_attributes(
            [search.ORDER_ID.value_set(req.order_id), search.CUSTOMER_ID.value_set(req.customer)]
        )
        stages: list[StageOutcome] = []
        fields: dict[str, Any] = {
            "order_id": order_id,
            "customer": req.customer,
            "total": Decimal(0),
            "stages": stages,
            "undone": [],
        }

        async def stage(name: str, run: Callable[[Any, In], Awaitable[S]], arg: In) -> S:
            if self._cancel is not None:
                raise OrderCancelled()
            self._at = name
            self.set_stage(name)
            started = workflow.now()
            handle = await workflow.start_child_workflow(
                run, arg, id=f"{order_id}-{name}",
                static_summary=f"{name.replace('_', ' ')} of order {order_id}",
            )  # fmt: skip
            self._children[name] = handle
            child = asyncio.ensure_future(handle)
            cancelled = asyncio.ensure_future(
                workflow.wait_condition(lambda: self._cancel is not None)
            )
            await workflow.wait([child, cancelled], return_when=asyncio.FIRST_COMPLETED)
            if not child.done():
                handle.cancel()
                try:
                    await child
                except ChildWorkflowError as err:
                    if not isinstance(err.cause, CancelledError):
                        raise
                stages.append(
                    StageOutcome(
                        stage=name,
                        workflow_id=handle.id,
                        status="cancelled",
                        started_at=started,
                        finished_at=workflow.now(),
                    )
                )
                raise OrderCancelled()
            cancelled.cancel()
            result = child.result()
            stages.append(
                StageOutcome(
                    stage=name,
                    workflow_id=handle.id,
                    status=result.status,
                    started_at=started,
                    finished_at=workflow.now(),
                )
            )
            return result

        try:
            entry = await stage(
                "order_entry", OrderEntry.run, OrderEntryInput(request=req, context=ctx)
            )
            order = entry.order
            fields["total"] = self._total = order.total
            # One amount attribute across everything (the order's stages carry its total
            # too); OrderTotal stays for the views and queries that name it.
            total = float(order.total)
            workflow.upsert_search_attributes(
                [search.ORDER_TOTAL.value_set(total), search.AMOUNT.value_set(total)]
            )
            credit = await stage(
                "credit_check", CreditCheck.run, CreditInput(order=order, context=ctx)
            )
            if not credit.decision.approved:
                return await self._close(
                    OrderToCashResult, "credit_refused", credit.decision.reason, **fields
                )
            await stage(
                "stock_check",
                StockCheck.run,
                StockInput(order=order, context=ctx, production_lead_time=cfg.production_lead_time),
            )
            await stage("pick_pack", PickPack.run, PackInput(order=order, context=ctx))
            plan = await stage(
                "shipment_planning",
                ShipmentPlanning.run,
                PlanInput(order=order, context=ctx, table=input.shipment_table),
            )
            await stage(
                "shipping",
                Shipping.run,
                ShipInput(
                    order=order,
                    mode=plan.mode,
                    carrier=plan.carrier,
                    transit_days=plan.transit_days,
                    context=ctx,
                    delivery_grace=cfg.delivery_grace,
                ),
            )
            invoicing = await stage(
                "invoicing",
                Invoicing.run,
                InvoiceIssueInput(order=order, context=ctx, payment_terms=cfg.payment_terms),
            )
            self._invoice = invoicing.invoice
            fields["invoice"] = invoicing.invoice.number
            collected: CollectionResult = await stage(
                "collection",
                Collection.run,
                CollectionInput(
                    invoice=invoicing.invoice, context=ctx, dunning_every=cfg.dunning_every
                ),
            )
            fields["paid"] = collected.paid
            return await self._close(
                OrderToCashResult,
                collected.status,
                f"{collected.status}: {collected.paid} received",
                **fields,
            )
        except OrderCancelled:
            assert self._cancel is not None
            fields["undone"] = await self._undo(req.order_id, req.customer)
            fields["cancel_reason"] = self._cancel.reason
            return await self._close(
                OrderToCashResult,
                "cancelled",
                f"cancelled by {self._cancel.by}: {self._cancel.reason}",
                **fields,
            )
        except ChildWorkflowError as err:
            failed = self._at
            cause = err.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(err)
            kind = (
                cause.type if isinstance(cause, ApplicationError) and cause.type else "StageFailed"
            )
            undone = await self._undo(req.order_id, req.customer)
            self._finished = True
            self.set_stage("failed")
            await self.notify(
                "outcome",
                req.customer,
                f"Order {order_id} failed",
                f"{failed}: {reason}; undone: {', '.join(undone) or 'nothing'}",
                step="failed",
            )
            raise ApplicationError(
                f"order {order_id} failed at {failed}: {reason};"
                f" undone: {', '.join(undone) or 'nothing'}",
                {"undone": undone, "stage": failed},
                type=kind,
                non_retryable=True,
            ) from err

    async def _undo(self, order_id: str, customer: str) -> list[str]:
        """Reverse what the order booked, latest stage first; every step is idempotent."""
        self.set_stage("compensating")
        undone: list[str] = []
        for step, activity in UNDO:
            out: UndoOutput = await self.automated(
                step,
                activity,
                UndoInput(order_id=order_id, customer=customer),
                step.replace("_", " "),
            )
            undone.extend(out.undone)
        return undone

    async def _close(
        self, result_type: type[OrderToCashResult], status: str, message: str, **fields: Any
    ) -> OrderToCashResult:
        self._finished = True
        return await self.finish(result_type, status, message, **fields)
