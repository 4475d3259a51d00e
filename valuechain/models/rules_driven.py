"""Rules-driven workflows: the route comes from a decision table in the input."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from valuechain.models.common import Currency, Line, Login, Model, RunContext
from valuechain.models.result import RunResult
from valuechain.rules import DecisionTable, TableDecision

PurchaseCategory = Literal["it", "office", "travel", "services", "facilities", "other"]


class PurchaseRequest(Model):
    requester: Login
    item: Line
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: Currency = "USD"
    category: PurchaseCategory
    vendor: str = Field(min_length=1, max_length=100)


class PurchaseInput(Model):
    request: PurchaseRequest
    context: RunContext
    table: DecisionTable


class PurchaseResult(RunResult):
    status: Literal["approved", "rejected"]
    amount: Decimal
    route: TableDecision
    approvers: list[str]  # the roles that approved, in order ([] when automatic)


class InvoiceRequest(Model):
    invoice_number: str = Field(min_length=1, max_length=50)
    vendor: Login
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: Currency = "USD"
    submitted_by: Login


class InvoiceInput(Model):
    request: InvoiceRequest
    context: RunContext
    table: DecisionTable


class InvoiceResult(RunResult):
    status: Literal["approved", "rejected"]
    amount: Decimal
    route: TableDecision


ComplaintCategory = Literal["safety", "billing", "product", "service", "other"]
Severity = Literal["low", "medium", "high"]


class ComplaintRequest(Model):
    customer: str = Field(min_length=1, max_length=100)
    subject: Line
    description: str = Field(default="", max_length=5000)
    category: ComplaintCategory
    severity: Severity = "medium"


class ComplaintInput(Model):
    request: ComplaintRequest
    context: RunContext
    table: DecisionTable


class ComplaintResult(RunResult):
    status: Literal["resolved", "dismissed"]
    route: TableDecision
    priority: str
    escalated_immediately: bool
    resolution: str
