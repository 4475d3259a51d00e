"""What the order-to-cash activities take and give."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from valuechain.models.common import Model
from valuechain.models.orders.order import OrderRequest, PricedOrder
from valuechain.models.records import BookingInput


class PriceInput(Model):
    request: OrderRequest


class CheckCreditInput(Model):
    customer: str
    amount: Decimal


class ReserveInput(BookingInput):
    order_id: str
    sku: str
    qty: int
    # Produced for this order: the receipt reserves what it brings in, in the same
    # transaction, so no other order can take it before this order's reservation.
    held: bool = False


class PackOrderInput(BookingInput):
    order: PricedOrder


class PackOutput(Model):
    reference: str
    packages: int
    weight_kg: Decimal


class ShipOrderInput(BookingInput):
    order: PricedOrder
    mode: str
    carrier: str


class InvoiceOrderInput(BookingInput):
    order: PricedOrder
    due_at: datetime


class RecordPaymentInput(BookingInput):
    order_id: str
    customer: str
    invoice: str
    payment_id: str
    amount: Decimal
