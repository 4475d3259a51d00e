"""Order-to-cash activities. Every booking is keyed by order and step, so a retried
activity finds its earlier work; every undo is a booking too, so undoing twice undoes once.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.bookings import Booker
from valuechain import errors
from valuechain.models.orders import (
    CheckCreditInput,
    CreditDecision,
    InvoiceOrderInput,
    PackOrderInput,
    PackOutput,
    PricedLine,
    PricedOrder,
    PriceInput,
    RecordPaymentInput,
    ReserveInput,
    ShipOrderInput,
    UndoInput,
    UndoOutput,
)
from valuechain.models.records import BookingOutput
from valuechain.records.checks import adjust_stock, all_of, reserve

KG_PER_PACKAGE = Decimal(20)


class OrderActivities(Booker):
    @activity.defn(name="price_order")
    def price_order(self, input: PriceInput) -> PricedOrder:
        req = input.request
        customer = self._store.customer(req.customer)
        if customer is None:
            raise ApplicationError(
                f"unknown customer {req.customer}", type=errors.UNKNOWN_CUSTOMER, non_retryable=True
            )
        found = self._store.products([line.sku for line in req.lines])
        missing = [line.sku for line in req.lines if line.sku not in found]
        if missing:
            raise ApplicationError(
                f"unknown product {', '.join(missing)}",
                type=errors.UNKNOWN_PRODUCT,
                non_retryable=True,
            )
        lines = [
            PricedLine(
                sku=line.sku,
                qty=line.qty,
                unit_price=Decimal(found[line.sku].unit_price),
                weight_kg=Decimal(found[line.sku].weight_kg),
            )
            for line in req.lines
        ]
        return PricedOrder(
            order_id=req.order_id,
            customer=req.customer,
            lines=lines,
            total=sum((line.unit_price * line.qty for line in lines), Decimal(0)),
            weight_kg=sum((line.weight_kg * line.qty for line in lines), Decimal(0)),
            distance_km=int(customer.distance_km),
            due_date=req.due_date,
        )

    @activity.defn(name="check_credit")
    def check_credit(self, input: CheckCreditInput) -> CreditDecision:
        customer = self._store.customer(input.customer)
        if customer is None:
            raise ApplicationError(
                f"unknown customer {input.customer}",
                type=errors.UNKNOWN_CUSTOMER,
                non_retryable=True,
            )
        limit = Decimal(customer.credit_limit)
        exposure = self._store.exposure(input.customer)
        approved = exposure + input.amount <= limit
        reason = (
            f"{exposure} owed + {input.amount} {'within' if approved else 'over'} limit {limit}"
        )
        activity.logger.info(
            f"credit {'approved' if approved else 'refused'}: {reason}", extra={"step": "credit"}
        )
        return CreditDecision(approved=approved, limit=limit, exposure=exposure, reason=reason)

    @activity.defn(name="reserve_stock")
    def reserve_stock(self, input: ReserveInput) -> BookingOutput:
        if input.held:  # the production receipt already reserved these units
            payload = {"sku": input.sku, "qty": input.qty, "held": True}
            return self._book_step(input, "reservation", input.order_id, payload)
        return self._book_step(
            input,
            "reservation",
            input.order_id,
            {"sku": input.sku, "qty": input.qty},
            reserve(input.sku, input.qty),
        )

    @activity.defn(name="schedule_production")
    def schedule_production(self, input: ReserveInput) -> BookingOutput:
        return self._book_step(
            input, "production_order", input.order_id, {"sku": input.sku, "qty": input.qty}
        )

    @activity.defn(name="receive_production")
    def receive_production(self, input: ReserveInput) -> BookingOutput:
        """Produced goods come into stock; `held`: reserved for the order at once."""
        payload: dict[str, Any] = {"sku": input.sku, "qty": input.qty}
        if input.held:
            payload["held"] = True
        held = input.qty if input.held else 0
        return self._book_step(
            input,
            "production_receipt",
            input.order_id,
            payload,
            adjust_stock(input.sku, on_hand=input.qty, reserved=held),
        )

    @activity.defn(name="pack_order")
    def pack_order(self, input: PackOrderInput) -> PackOutput:
        weight = input.order.weight_kg
        packages = max(1, math.ceil(weight / KG_PER_PACKAGE))
        b = self._book_step(
            input,
            "packing",
            input.order.order_id,
            {"packages": packages, "weight_kg": str(weight)},
        )
        return PackOutput(reference=b.reference, packages=packages, weight_kg=weight)

    @activity.defn(name="ship_order")
    def ship_order(self, input: ShipOrderInput) -> BookingOutput:
        """Goods leave: each reserved line leaves stock (on hand and reserved)."""
        order = input.order
        moves = [
            adjust_stock(line.sku, on_hand=-line.qty, reserved=-line.qty) for line in order.lines
        ]
        return self._book_step(
            input,
            "shipment",
            order.order_id,
            {
                "mode": input.mode,
                "carrier": input.carrier,
                "lines": {line.sku: line.qty for line in order.lines},
            },
            all_of(*moves),
        )

    @activity.defn(name="issue_invoice")
    def issue_invoice(self, input: InvoiceOrderInput) -> BookingOutput:
        order = input.order
        return self._book_step(
            input,
            "invoice",
            order.customer,
            {
                "order": order.order_id,
                "amount": str(order.total),
                "due_at": input.due_at.isoformat(),
            },
        )

    @activity.defn(name="record_payment")
    def record_payment(self, input: RecordPaymentInput) -> BookingOutput:
        return self._book_step(
            input,
            "payment",
            input.customer,
            {
                "order": input.order_id,
                "invoice": input.invoice,
                "payment_id": input.payment_id,
                "amount": str(input.amount),
            },
        )

    # -- undo: each looks at what the order booked and reverses what is still in force --

    def _order_bookings(self, kind: str, order_id: str, customer: str | None = None) -> list[Any]:
        if customer is None:
            return self._store.bookings(kind, order_id)
        return [b for b in self._store.bookings(kind, customer) if b.payload["order"] == order_id]

    @activity.defn(name="refund_payments")
    def refund_payments(self, input: UndoInput) -> UndoOutput:
        paid = self._order_bookings("payment", input.order_id, input.customer)
        total = sum((Decimal(b.payload["amount"]) for b in paid), Decimal(0))
        if not total:
            return UndoOutput(undone=[])
        b = self._book(
            f"{input.order_id}:refund",
            "refund",
            input.customer,
            {"order": input.order_id, "amount": str(total)},
        )
        return UndoOutput(undone=[f"refunded {total} ({b.reference})"])

    @activity.defn(name="void_invoice")
    def void_invoice(self, input: UndoInput) -> UndoOutput:
        invoices = self._order_bookings("invoice", input.order_id, input.customer)
        undone = []
        for inv in invoices:
            self._book(
                f"{input.order_id}:void:{inv.reference}",
                "invoice_void",
                input.customer,
                {"order": input.order_id, "invoice": inv.reference},
            )
            undone.append(f"voided invoice {inv.reference}")
        return UndoOutput(undone=undone)

    @activity.defn(name="cancel_shipment")
    def cancel_shipment(self, input: UndoInput) -> UndoOutput:
        """The goods come back: each shipped line returns to stock on hand."""
        shipments = self._order_bookings("shipment", input.order_id)
        undone = []
        for ship in shipments:
            back = [adjust_stock(sku, on_hand=qty) for sku, qty in ship.payload["lines"].items()]
            self._book(
                f"{input.order_id}:cancel:{ship.reference}",
                "shipment_cancel",
                input.order_id,
                {"shipment": ship.reference},
                all_of(*back),
            )
            undone.append(f"cancelled shipment {ship.reference}")
        return UndoOutput(undone=undone)

    @activity.defn(name="release_stock")
    def release_stock(self, input: UndoInput) -> UndoOutput:
        """Release reservations still held; a shipment already consumed its reservations."""
        if self._order_bookings("shipment", input.order_id):
            return UndoOutput(undone=[])
        held = self._order_bookings("reservation", input.order_id)
        undone = []
        for r in held:
            sku, qty = r.payload["sku"], r.payload["qty"]
            self._book(
                f"{input.order_id}:release:{sku}",
                "reservation_release",
                input.order_id,
                {"sku": sku, "qty": qty},
                adjust_stock(sku, reserved=-qty),
            )
            undone.append(f"released {qty} x {sku}")
        return UndoOutput(undone=undone)
