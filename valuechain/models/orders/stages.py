"""Each stage's input and result (a stage's result is the next one's input), and the
carrier's and bank's events."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field

from valuechain.models.common import (
    Heading,
    Loads,
    Model,
    RunContext,
    RunInput,
    Signature,
    WorkflowInput,
)
from valuechain.models.orders.order import ID_PATTERN, OrderRequest, PricedOrder
from valuechain.models.result import RunResult
from valuechain.rules import DecisionTable


class OrderEntryInput(RunInput[OrderRequest]):
    """The order as the customer placed it, for the first stage."""

    def heading(self) -> Heading:
        return Heading(f"order entry for order {self.request.order_id}", self.request.customer)


class OrderEntryResult(RunResult):
    status: Literal["entered"]
    order: PricedOrder


class StageInput(WorkflowInput):
    """A stage's input: the order as the previous stage left it, and the run context."""

    order: PricedOrder
    context: RunContext | None = None
    stage: ClassVar[str]  # what the stage does, as its heading says it (or `doing`)

    def doing(self) -> str:
        return self.stage

    def heading(self) -> Heading:
        return Heading(
            f"{self.doing()} for order {self.order.order_id}", self.order.customer, self.order.total
        )


# -- stage 2: credit check -----------------------------------------------------------


class CreditInput(StageInput):
    """The priced order, for its customer's credit."""

    stage: ClassVar[str] = "credit check"


class CreditDecision(Model):
    approved: bool
    limit: Decimal
    exposure: Decimal
    reason: str


class CreditResult(RunResult):
    status: Literal["approved", "refused"]
    decision: CreditDecision


# -- stage 3: stock check --------------------------------------------------------------


class StockInput(StageInput):
    stage: ClassVar[str] = "stock check"
    production_lead_time: timedelta = timedelta(days=2)


class StockResult(RunResult):
    status: Literal["reserved"]
    reservations: list[str]
    production_orders: list[str]


# -- stage 4: pick and pack ------------------------------------------------------------


class PackInput(StageInput):
    """The reserved order, to pick and pack."""

    stage: ClassVar[str] = "pick and pack"


class PackResult(RunResult):
    status: Literal["packed"]
    packages: int
    weight_kg: Decimal
    packing_reference: str


# -- stage 5: shipment planning and shipping ---------------------------------------------


class PlanInput(StageInput):
    stage: ClassVar[str] = "shipment planning"
    table: DecisionTable | None = None
    loads: ClassVar[Loads] = Loads(tables={"table": "shipment_mode"})


class PlanResult(RunResult):
    status: Literal["planned"]
    mode: str
    carrier: str
    transit_days: int
    table_version: str
    rule: str


class ShipInput(StageInput):
    mode: str
    carrier: str
    transit_days: int
    delivery_grace: timedelta = timedelta(days=2)

    def doing(self) -> str:
        return f"{self.mode} shipping"


class DeliveryInput(Model):
    shipment: str = Field(min_length=1, description="the shipment reference")
    delivered_at: datetime | None = None
    signed_by: str = ""
    # The carrier's signature (a partner key the run trusts); unsigned is refused.
    signature: Signature | None = None


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


class InvoiceIssueInput(StageInput):
    stage: ClassVar[str] = "invoicing"
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
    # The bank's signature (a partner key the run trusts); unsigned is refused.
    signature: Signature | None = None


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


class CollectionInput(WorkflowInput):
    invoice: IssuedInvoice
    context: RunContext | None = None
    dunning_every: timedelta = timedelta(days=7)
    # Carried across continue-as-new: what earlier runs of this collection saw.
    payments: list[Payment] = []
    reminders_sent: int = 0
    runs: int = 1
    # Continue as new past this many history events, as well as when the SDK suggests.
    continue_after_events: int | None = Field(default=None, ge=50)

    def heading(self) -> Heading:
        inv = self.invoice
        return Heading(f"collection of {inv.number} ({inv.amount})", inv.customer, inv.amount)


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
