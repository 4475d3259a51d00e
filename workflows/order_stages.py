"""The order-to-cash stages. Each is a workflow type of its own that can run alone or as
a child of the OrderToCash process, takes the previous stage's output as its input, and
tags itself with the order and customer so the Web UI lists an order with its stages."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.orders import OrderActivities
    from valuechain import errors, search
    from valuechain.messages import Raw, parse
    from valuechain.models.common import RunContext
    from valuechain.models.human import DecisionInput
    from valuechain.models.orders import (
        CheckCreditInput,
        CollectionInput,
        CollectionResult,
        CreditDecision,
        CreditInput,
        CreditResult,
        DeliveryInput,
        DeliveryOutput,
        InvoiceIssueInput,
        InvoiceOrderInput,
        InvoicingResult,
        IssuedInvoice,
        OrderEntryInput,
        OrderEntryResult,
        PackInput,
        PackOrderInput,
        PackOutput,
        PackResult,
        Payment,
        PaymentInput,
        PaymentOutput,
        PlanInput,
        PlanResult,
        PricedOrder,
        PriceInput,
        RecordPaymentInput,
        ReserveInput,
        ShipInput,
        ShipOrderInput,
        ShipResult,
        StockInput,
        StockResult,
    )
    from valuechain.models.records import BookingOutput

from workflows.human import HumanWorkflow


class OrderStage(HumanWorkflow):
    outcome_notice = False  # the order's process tells the customer, not each stage

    def tag(self, order_id: str, customer: str) -> None:
        workflow.upsert_search_attributes(
            [search.ORDER_ID.value_set(order_id), search.CUSTOMER_ID.value_set(customer)]
        )

    def begin_stage(self, what: str, order: PricedOrder, context: RunContext) -> None:
        self.begin(f"{what} for order {order.order_id}", order.customer, context, order.total)
        self.tag(order.order_id, order.customer)


@workflow.defn(name="OrderEntry")
class OrderEntry(OrderStage):
    @workflow.run
    async def run(self, input: OrderEntryInput) -> OrderEntryResult:
        req = input.request
        self.begin(f"order entry for order {req.order_id}", req.customer, input.context)
        self.tag(req.order_id, req.customer)
        order: PricedOrder = await self.automated(
            "price", OrderActivities.price_order, PriceInput(request=req), "price the order"
        )
        return await self.finish(
            OrderEntryResult, "entered", f"order total {order.total}", order=order
        )


@workflow.defn(name="CreditCheck")
class CreditCheck(OrderStage):
    @workflow.run
    async def run(self, input: CreditInput) -> CreditResult:
        order = input.order
        self.begin_stage("credit check", order, input.context)
        decision: CreditDecision = await self.automated(
            "check_credit",
            OrderActivities.check_credit,
            CheckCreditInput(customer=order.customer, amount=order.total),
            f"check {order.customer}'s credit for {order.total}",
        )
        status = "approved" if decision.approved else "refused"
        return await self.finish(CreditResult, status, decision.reason, decision=decision)


@workflow.defn(name="StockCheck")
class StockCheck(OrderStage):
    """Reserve every line; a line short of stock is produced first (production order,
    the lead time on a durable timer, the receipt) and then reserved."""

    @workflow.run
    async def run(self, input: StockInput) -> StockResult:
        order = input.order
        self.begin_stage("stock check", order, input.context)
        reservations: list[str] = []
        produced: list[str] = []
        for line in order.lines:

            def key(
                what: str, sku: str = line.sku, qty: int = line.qty, held: bool = False
            ) -> ReserveInput:
                return ReserveInput(
                    key=f"{order.order_id}:{what}:{sku}",
                    step=what,
                    order_id=order.order_id,
                    sku=sku,
                    qty=qty,
                    held=held,
                )

            try:
                booked: BookingOutput = await self.automated(
                    "reserve",
                    OrderActivities.reserve_stock,
                    key("reserve"),
                    f"reserve {line.qty} x {line.sku}",
                    business_errors=(errors.STOCK_SHORT,),
                )
            except ActivityError as err:
                self.log(f"short of {line.sku}: {err.cause}; scheduling production", "reserve")
                made: BookingOutput = await self.automated(
                    "produce",
                    OrderActivities.schedule_production,
                    key("produce"),
                    f"produce {line.qty} x {line.sku}",
                )
                produced.append(made.reference)
                self.set_stage("in_production")
                await workflow.sleep(
                    input.production_lead_time, summary=f"production of {line.sku}"
                )
                # Runs from before this change received into free stock, where another
                # order could take the units before this one reserved them.
                held = workflow.patched("reserve-on-receipt")
                await self.automated(
                    "receive",
                    OrderActivities.receive_production,
                    key("receive", held=held),
                    f"receive {line.qty} x {line.sku} from production",
                )
                booked = await self.automated(
                    "reserve",
                    OrderActivities.reserve_stock,
                    key("reserve", held=held),
                    f"reserve {line.qty} x {line.sku}",
                )
            reservations.append(booked.reference)
        return await self.finish(
            StockResult,
            "reserved",
            f"{len(reservations)} line(s) reserved",
            reservations=reservations,
            production_orders=produced,
        )


@workflow.defn(name="PickPack")
class PickPack(OrderStage):
    @workflow.run
    async def run(self, input: PackInput) -> PackResult:
        order = input.order
        self.begin_stage("pick and pack", order, input.context)
        packed: PackOutput = await self.automated(
            "pack",
            OrderActivities.pack_order,
            PackOrderInput(key=f"{order.order_id}:pack", step="pack", order=order),
            f"pick and pack {len(order.lines)} line(s)",
        )
        return await self.finish(
            PackResult,
            "packed",
            f"{packed.packages} package(s), {packed.weight_kg} kg",
            packages=packed.packages,
            weight_kg=packed.weight_kg,
            packing_reference=packed.reference,
        )


@workflow.defn(name="ShipmentPlanning")
class ShipmentPlanning(OrderStage):
    """The mode (land, sea, air) comes from the shipment_mode decision table."""

    @workflow.run
    async def run(self, input: PlanInput) -> PlanResult:
        order = input.order
        self.begin_stage("shipment planning", order, input.context)
        days_to_due = (order.due_date - workflow.now().date()).days
        route = input.table.evaluate(
            {
                "weight_kg": order.weight_kg,
                "distance_km": order.distance_km,
                "days_to_due": days_to_due,
            }
        )
        out = route.hits[0].outputs
        self.system_decision("choose_mode", out["mode"], f"rule {route.rules[0]} v{route.version}")
        return await self.finish(
            PlanResult,
            "planned",
            f"{out['mode']} with {out['carrier']}",
            mode=out["mode"],
            carrier=out["carrier"],
            transit_days=int(out["transit_days"]),
            table_version=route.version,
            rule=route.rules[0],
        )


@workflow.defn(name="Shipping")
class Shipping(OrderStage):
    """Load and ship, then wait for the carrier's delivery confirmation: an update with
    validation when sent from outside, a signal when the process forwards it."""

    def __init__(self) -> None:
        super().__init__()
        self._shipment: str | None = None
        self._delivered: DeliveryOutput | None = None

    @workflow.signal(name="delivered")
    def delivered(self, input: DeliveryInput) -> None:
        if self._delivered is None and input.shipment == self._shipment:
            self._delivered = DeliveryOutput(
                shipment=input.shipment, delivered_at=input.delivered_at or workflow.now()
            )

    @workflow.update
    def confirm_delivery(self, input: DeliveryInput | Raw) -> DeliveryOutput:
        input = parse(DeliveryInput, input, "delivery")
        self.delivered(input)
        assert self._delivered is not None  # the validator saw to it
        return self._delivered

    @confirm_delivery.validator
    def _check_delivery(self, input: DeliveryInput | Raw) -> None:
        input = parse(DeliveryInput, input, "delivery")
        check_delivery(self._shipment, self._delivered is not None, input)

    @workflow.run
    async def run(self, input: ShipInput) -> ShipResult:
        order = input.order
        self.begin_stage(f"{input.mode} shipping", order, input.context)
        shipped = await self.automated(
            "ship",
            OrderActivities.ship_order,
            ShipOrderInput(
                key=f"{order.order_id}:ship",
                step="ship",
                order=order,
                mode=input.mode,
                carrier=input.carrier,
            ),
            f"load and ship by {input.mode} with {input.carrier}",
        )
        self._shipment = shipped.reference
        shipped_at = workflow.now()
        parent = workflow.info().parent
        if parent is not None:  # tell the process which shipment the carrier will confirm
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(
                "shipped", shipped.reference
            )
        self.set_stage("in_transit")
        expected = timedelta(days=input.transit_days) + input.delivery_grace
        try:
            await workflow.wait_condition(
                lambda: self._delivered is not None,
                timeout=expected,
                timeout_summary="delivery expected by",
            )
        except TimeoutError:
            await self.notify(
                "escalation",
                "role:logistics",
                f"Overdue: {self.subject}",
                f"shipment {shipped.reference} is not delivered yet",
                step="ship",
            )
            await workflow.wait_condition(lambda: self._delivered is not None)
        assert self._delivered is not None
        return await self.finish(
            ShipResult,
            "delivered",
            f"shipment {shipped.reference} delivered",
            shipment=shipped.reference,
            mode=input.mode,
            shipped_at=shipped_at,
            delivered_at=self._delivered.delivered_at,
        )


def check_delivery(shipment: str | None, delivered: bool, input: DeliveryInput) -> None:
    """The one rule for a delivery confirmation, used by Shipping and by the process."""
    if shipment is None:
        raise ValueError("nothing has shipped yet for this order")
    if delivered:
        raise ValueError(f"shipment {shipment} is already delivered")
    if input.shipment != shipment:
        raise ValueError(f"unknown shipment '{input.shipment}'; this order ships as {shipment}")


@workflow.defn(name="Invoicing")
class Invoicing(OrderStage):
    @workflow.run
    async def run(self, input: InvoiceIssueInput) -> InvoicingResult:
        order = input.order
        self.begin_stage("invoicing", order, input.context)
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
            number=booked.reference,
            order_id=order.order_id,
            customer=order.customer,
            amount=order.total,
            issued_at=issued_at,
            due_at=due_at,
        )
        await self.notify(
            "info",
            order.customer,
            f"Invoice {invoice.number}",
            f"{invoice.amount} due {due_at.date()}",
            step="invoice",
        )
        return await self.finish(
            InvoicingResult, "issued", f"invoice {booked.reference}", invoice=invoice
        )


@workflow.defn(name="Collection")
class Collection(OrderStage):
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
        seen = [p.payment_id for p in self._payments] + [p.payment_id for p in self._queued]
        check_payment(self._invoice, seen, self._outstanding(), input)

    @workflow.run
    async def run(self, input: CollectionInput) -> CollectionResult:
        invoice = input.invoice
        reminders = input.reminders_sent
        self.begin(
            f"collection of {invoice.number} ({invoice.amount})",
            invoice.customer,
            input.context,
            amount=invoice.amount,
        )
        self.tag(invoice.order_id, invoice.customer)
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
            CollectionResult,
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
