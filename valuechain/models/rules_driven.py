"""Rules-driven workflows: the route comes from a decision table in the input."""

from __future__ import annotations

from abc import abstractmethod
from decimal import Decimal
from typing import Any, ClassVar, Generic, Literal

from pydantic import Field

from valuechain.models.common import (
    Currency,
    Heading,
    Line,
    Loads,
    Login,
    Model,
    Request,
    RunInput,
    loaded,
)
from valuechain.models.result import RunResult
from valuechain.rules import DecisionTable, TableDecision


class RoutedInput(RunInput[Request], Generic[Request]):
    """A request routed by a decision table: the one its starter gave, or the one named
    by `loads`, loaded by the run's worker."""

    table: DecisionTable | None = None

    @abstractmethod
    def facts(self) -> dict[str, Any]:
        """The request's values the table's rules read."""

    def route(self) -> TableDecision:
        """The table's decision for this request."""
        return loaded(self.table).evaluate(self.facts())


PurchaseCategory = Literal["it", "office", "travel", "services", "facilities", "other"]


class PurchaseRequest(Model):
    requester: Login
    """who asks (a roster name)"""
    item: Line
    """what to buy"""
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    """the amount, for example 1250.00"""
    currency: Currency = "USD"
    """ISO 4217 code"""
    category: PurchaseCategory
    """what kind of purchase"""
    vendor: str = Field(min_length=1, max_length=100)
    """who sells it"""


class PurchaseInput(RoutedInput[PurchaseRequest]):
    loads: ClassVar[Loads] = Loads(tables={"table": "purchase_approval"})

    def what(self) -> str:
        r = self.request
        return f"purchase of {r.item} for {r.amount} {r.currency} ({r.category})"

    def heading(self) -> Heading:
        return Heading(f"{self.what()} by {self.request.requester}", self.request.requester,
                       self.request.amount)  # fmt: skip

    def facts(self) -> dict[str, Any]:
        return {"amount": self.request.amount, "category": self.request.category}


class RoutedApproval(RunResult):
    """How an approval routed by a table ended, and the route it took."""

    status: Literal["approved", "rejected"]
    amount: Decimal
    route: TableDecision


class PurchaseResult(RoutedApproval):
    approvers: list[str]  # the roles that approved, in order ([] when automatic)


class InvoiceRequest(Model):
    invoice_number: str = Field(min_length=1, max_length=50)
    """the supplier's invoice number"""
    vendor: Login
    """the supplier (a vendor id)"""
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    """the amount, for example 1250.00"""
    currency: Currency = "USD"
    """ISO 4217 code"""
    submitted_by: Login
    """who submits it (a roster name)"""


class InvoiceInput(RoutedInput[InvoiceRequest]):
    loads: ClassVar[Loads] = Loads(tables={"table": "invoice_approval"})

    def heading(self) -> Heading:
        r = self.request
        return Heading(
            f"invoice {r.invoice_number} from {r.vendor}, {r.amount} {r.currency}",
            r.submitted_by,
            r.amount,
        )

    def facts(self) -> dict[str, Any]:
        return {"amount": self.request.amount, "vendor": self.request.vendor}


class InvoiceResult(RoutedApproval):
    """An invoice approved for payment, or rejected."""


ComplaintCategory = Literal["safety", "billing", "product", "service", "other"]
Severity = Literal["low", "medium", "high"]


class ComplaintRequest(Model):
    customer: str = Field(min_length=1, max_length=100)
    """who complains (a name or an address)"""
    subject: Line
    """in a line"""
    description: str = Field(default="", max_length=5000)
    """the details"""
    category: ComplaintCategory
    """what it is about"""
    severity: Severity = "medium"
    """how bad it is"""


class ComplaintInput(RoutedInput[ComplaintRequest]):
    loads: ClassVar[Loads] = Loads(tables={"table": "complaint_triage"})

    def heading(self) -> Heading:
        r = self.request
        return Heading(f"complaint '{r.subject}' from {r.customer}", r.customer)

    def facts(self) -> dict[str, Any]:
        return {"category": self.request.category, "severity": self.request.severity}


class ComplaintResult(RunResult):
    status: Literal["resolved", "dismissed"]
    route: TableDecision
    priority: str
    escalated_immediately: bool
    resolution: str
