"""The order as the process sees it: the request and its lines, the priced order, the
process's input, result and view, and the customer's cancellation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from valuechain.models.common import Heading, Loads, Model, RunInput, Text
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
    """the order's id, also its workflow id (an order starts once)"""
    customer: str = Field(pattern=ID_PATTERN, max_length=64)
    """the customer's id, for example C-ACME"""
    lines: list[OrderLine] = Field(min_length=1, max_length=50)
    """a line, SKU=QTY or JSON (repeat the flag for more; one line per product)"""
    due_date: date
    """when the customer needs it, YYYY-MM-DD"""

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


class OrderToCashInput(RunInput[OrderRequest]):
    shipment_table: DecisionTable | None = None
    settings: O2CSettings | None = None
    loads: ClassVar[Loads] = Loads(
        tables={"shipment_table": "shipment_mode"}, order_settings="settings"
    )

    def heading(self) -> Heading:
        return Heading(
            f"order {self.request.order_id} from {self.request.customer}", self.request.customer
        )


class CancelInput(Model):
    reason: Text
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
