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
    from activities.order_to_cash import OrderActivities
    from valuechain import search
    from valuechain.models.orders import (
        CollectionInput,
        CollectionResult,
        CreditInput,
        InvoiceIssueInput,
        OrderEntryInput,
        OrderToCashInput,
        OrderToCashResult,
        PackInput,
        PlanInput,
        ShipInput,
        StockInput,
        UndoInput,
        UndoOutput,
    )
    from valuechain.models.result import RunResult, StageOutcome

    # The process starts its stages by their classes and runs none of their code: taken
    # from outside the sandbox, so that the order's run does not define every stage's
    # class again (each stage's own run imports its module afresh, checked as any).
    from workflows.order_to_cash.stages import (
        Collection,
        CreditCheck,
        Invoicing,
        OrderEntry,
        PickPack,
        ShipmentPlanning,
        Shipping,
        StockCheck,
    )

from workflows.human import loaded
from workflows.order_to_cash.events import OrderEvents

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
class OrderToCash(OrderEvents[OrderToCashResult]):
    @workflow.init
    def __init__(self, input: OrderToCashInput) -> None:
        # From the input, not in run(): a partner's event can come in the run's first
        # moment, before run() begins, and its signature is checked against the context
        # (a run started without one refuses such an event until its worker loaded it).
        super().__init__()
        self._context = input.context

    @workflow.run
    async def run(self, input: OrderToCashInput) -> OrderToCashResult:
        req = input.request
        order_id = workflow.info().workflow_id
        self._customer = req.customer
        input = await self.begin(input)
        cfg, ctx = loaded(input.settings), self.context
        # The stages before collection open no human step and take no signed event.
        auto = ctx.automated_only()
        self.tag(*search.order_tags(req.order_id, req.customer))
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
                "order_entry", OrderEntry.run, OrderEntryInput(request=req, context=auto)
            )
            order = entry.order
            fields["total"] = self._total = order.total
            # One amount attribute across everything (the order's stages carry its total
            # too); OrderTotal stays for the views and queries that name it.
            total = float(order.total)
            self.tag(search.ORDER_TOTAL.value_set(total), search.AMOUNT.value_set(total))
            credit = await stage(
                "credit_check", CreditCheck.run, CreditInput(order=order, context=auto)
            )
            if not credit.decision.approved:
                return await self._close("credit_refused", credit.decision.reason, **fields)
            await stage(
                "stock_check",
                StockCheck.run,
                StockInput(
                    order=order, context=auto, production_lead_time=cfg.production_lead_time
                ),
            )
            await stage("pick_pack", PickPack.run, PackInput(order=order, context=auto))
            plan = await stage(
                "shipment_planning",
                ShipmentPlanning.run,
                PlanInput(order=order, context=auto, table=loaded(input.shipment_table)),
            )
            await stage(
                "shipping",
                Shipping.run,
                ShipInput(
                    order=order,
                    mode=plan.mode,
                    carrier=plan.carrier,
                    transit_days=plan.transit_days,
                    context=auto,
                    delivery_grace=cfg.delivery_grace,
                ),
            )
            invoicing = await stage(
                "invoicing",
                Invoicing.run,
                InvoiceIssueInput(order=order, context=auto, payment_terms=cfg.payment_terms),
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
                collected.status,
                f"{collected.status}: {collected.paid} received",
                **fields,
            )
        except OrderCancelled:
            assert self._cancel is not None
            fields["undone"] = await self._undo(req.order_id, req.customer)
            fields["cancel_reason"] = self._cancel.reason
            return await self._close(
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

    async def _close(self, status: str, message: str, **fields: Any) -> OrderToCashResult:
        self._finished = True
        return await self.finish(status, message, **fields)


# The process and every stage: the workflow types one worker runs together (a stage runs
# on its process's task queue).
WORKFLOWS: list[type] = [
    OrderToCash,
    OrderEntry,
    CreditCheck,
    StockCheck,
    PickPack,
    ShipmentPlanning,
    Shipping,
    Invoicing,
    Collection,
]
