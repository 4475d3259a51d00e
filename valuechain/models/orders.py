"""Order-to-cash: the order, every stage's input and output, and the outside events
(payments, deliveries, cancellations). Each stage's output is the next one's input."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from valuechain.models.common import Model, RunContext
from valuechain.models.result import RunResult, StageOutcome
from valuechain.rules import DecisionTable

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class OrderLine(Model):
    sku: str = Field(pattern=ID_PATTERN, max_length=64, description="the product")
    qty: int = Field(gt=0, le=100_000, description="how many")

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        """A line as a person types it on a command line: `SKU=QTY` (`KETTLE-2=10`)."""
        if isinstance(value, str):
            sku, sep, qty = value.partition("=")
            if not sep:
                raise ValueError(f"expected SKU=QUANTITY, for example KETTLE-2=10, got {value!r}")
            return {"sku": sku.strip(), "qty": qty.strip()}
        return value


class OrderRequest(Model):
    order_id: str = Field(pattern=ID_PATTERN, max_length=64)
    customer: str = Field(pattern=ID_PATTERN, max_length=64)
    lines: list[OrderLine] = Field(min_length=1, max_length=50)
    due_date: date

    @field_validator("lines")
    @classmethod
    def _one_line_per_sku(cls, lines: list[OrderLine]) -> list[OrderLine]:
        skus = [line.sku for line in lines]
        if len(set(skus)) != len(skus):
            raise ValueError("a product is listed twice: put its quantities on one line")
        return lines


class O2CSettings(Model):
    """The process's clocks; defaults of settings, seconds in tests."""

    payment_terms: timedelta = Field(default=timedelta(days=30), gt=timedelta(0))
    dunning_every: timedelta = Field(default=timedelta(days=7), gt=timedelta(0))
    production_lead_time: timedelta = Field(default=timedelta(days=2), ge=timedelta(0))
    delivery_grace: timedelta = Field(default=timedelta(days=2), ge=timedelta(0))


# -- stage 1: order entry ------------------------------------------------------------


class OrderEntryInput(Model):
    request: OrderRequest
    context: RunContext


class PricedLine(Model):
    sku: str
    qty: int
    unit_price: Decimal
    weight_kg: Decimal


class PricedOrder(Model):
    order_id: str
    customer: str
    lines: list[PricedLine]
    total: Decimal
    weight_kg: Decimal
    distance_km: int
    due_date: date


class OrderEntryResult(RunResult):
    status: Literal["entered"]
    order: PricedOrder


# -- stage 2: credit check -----------------------------------------------------------


class CreditInput(Model):
    order: PricedOrder
    context: RunContext


class CreditDecision(Model):
    approved: bool
    limit: Decimal
    exposure: Decimal
    reason: str


class CreditResult(RunResult):
    status: Literal["approved", "refused"]
    decision: CreditDecision


# -- stage 3: stock check --------------------------------------------------------------


class StockInput(Model):
    order: PricedOrder
    context: RunContext
    production_lead_time: timedelta = timedelta(days=2)


class StockResult(RunResult):
    status: Literal["reserved"]
    reservations: list[str]
    production_orders: list[str]


# -- stage 4: pick and pack ------------------------------------------------------------


class PackInput(Model):
    order: PricedOrder
    context: RunContext


class PackResult(RunResult):
    status: Literal["packed"]
    packages: int
    weight_kg: Decimal
    packing_reference: str


# -- stage 5: shipment planning and shipping ---------------------------------------------


class PlanInput(Model):
    order: PricedOrder
    context: RunContext
    table: DecisionTable


class PlanResult(RunResult):
    status: Literal["planned"]
    mode: str
    carrier: str
    transit_days: int
    table_version: str
    rule: str


class ShipInput(Model):
    order: PricedOrder
    mode: str
    carrier: str
    transit_days: int
    context: RunContext
    delivery_grace: timedelta = timedelta(days=2)


class DeliveryInput(Model):
    shipment: str = Field(min_length=1, description="the shipment reference")
    delivered_at: datetime | None = None
    signed_by: str = ""


class DeliveryOutput(Model):
    shipment: str
    delivered_at: datetime


class ShipResult(RunResult):
    status: Literal["delivered"]
    shipment: str
    mode: str
    shipped_at: datetime
    delivered_at: datetime


# -- stage 6: invoicing ----------------------------------------------------------------


class InvoiceIssueInput(Model):
    order: PricedOrder
    context: RunContext
    payment_terms: timedelta = timedelta(days=30)


class IssuedInvoice(Model):
    number: str
    order_id: str
    customer: str
    amount: Decimal
    issued_at: datetime
    due_at: datetime


class InvoicingResult(RunResult):
    status: Literal["issued"]
    invoice: IssuedInvoice


# -- stage 7: collection -----------------------------------------------------------------


class PaymentInput(Model):
    payment_id: str = Field(pattern=ID_PATTERN, max_length=64)
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)


class PaymentOutput(Model):
    payment_id: str
    accepted: Decimal
    paid: Decimal
    outstanding: Decimal


class Payment(Model):
    payment_id: str
    amount: Decimal
    at: datetime
    reference: str


class CollectionInput(Model):
    invoice: IssuedInvoice
    context: RunContext
    dunning_every: timedelta = timedelta(days=7)
    # Carried across continue-as-new: what earlier runs of this collection saw.
    payments: list[Payment] = []
    reminders_sent: int = 0
    runs: int = 1
    # Continue as new past this many history events, as well as when the SDK suggests.
    continue_after_events: int | None = Field(default=None, ge=50)


class CollectionResult(RunResult):
    status: Literal["paid", "collected", "written_off"]
    invoice: str
    amount: Decimal
    paid: Decimal
    payments: list[Payment]
    reminders_sent: int
    escalated: bool
    runs: int


# -- the process -------------------------------------------------------------------------


class OrderToCashInput(Model):
    request: OrderRequest
    context: RunContext
    shipment_table: DecisionTable
    settings: O2CSettings = O2CSettings()


class CancelInput(Model):
    reason: str = Field(min_length=1, max_length=500)
    by: str = Field(min_length=1)


class CancelOutput(Model):
    accepted_at_stage: str


class OrderView(Model):
    """What the `order` query answers: where the order is and what it waits for."""

    order_id: str
    stage: str
    shipment: str | None
    delivered: bool
    invoice: str | None
    amount_due: Decimal
    paid: Decimal
    outstanding: Decimal
    cancelling: bool
    finished: bool
    accepting_payments: bool


class UndoInput(Model):
    order_id: str
    customer: str


class UndoOutput(Model):
    undone: list[str]


class OrderToCashResult(RunResult):
    status: Literal["paid", "collected", "written_off", "credit_refused", "cancelled"]
    order_id: str
    customer: str
    total: Decimal
    stages: list[StageOutcome]
    undone: list[str]
    invoice: str | None = None
    paid: Decimal = Decimal(0)
    cancel_reason: str | None = None


# -- activity inputs and outputs ---------------------------------------------------------


class PriceInput(Model):
    request: OrderRequest


class CheckCreditInput(Model):
    customer: str
    amount: Decimal


class ReserveInput(Model):
    key: str
    step: str
    order_id: str
    sku: str
    qty: int
    # Produced for this order: the receipt reserves what it brings in, in the same
    # transaction, so no other order can take it before this order's reservation.
    held: bool = False


class PackOrderInput(Model):
    key: str
    step: str
    order: PricedOrder


class PackOutput(Model):
    reference: str
    packages: int
    weight_kg: Decimal


class ShipOrderInput(Model):
    key: str
    step: str
    order: PricedOrder
    mode: str
    carrier: str


class InvoiceOrderInput(Model):
    key: str
    step: str
    order: PricedOrder
    due_at: datetime


class RecordPaymentInput(Model):
    key: str
    step: str
    order_id: str
    customer: str
    invoice: str
    payment_id: str
    amount: Decimal
