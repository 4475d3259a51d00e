from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from valuechain.models.common import Currency, Heading, Item, Login, Model, RunInput, Text
from valuechain.models.result import RunResult

ExpenseCategory = Literal["travel", "meals", "lodging", "equipment", "training", "other"]


class ExpenseRequest(Model):
    employee: Login
    """who claims (a roster name)"""
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    """the amount, for example 125.50"""
    currency: Currency = "USD"
    """ISO 4217 code"""
    category: ExpenseCategory
    """what it was for"""
    description: Text
    """what happened"""
    receipts: list[Item] = Field(min_length=1, max_length=50)
    """a receipt's file (repeat the flag for more)"""
    payee_account: str = Field(min_length=4, max_length=64)
    """the account to pay into"""
    max_send_backs: int = Field(default=3, ge=0, le=20)
    """how often the manager may send it back"""


class ExpenseInput(RunInput[ExpenseRequest]):
    """An expense report to review, approve and pay out."""

    def heading(self) -> Heading:
        r = self.request
        return Heading(
            f"expense {r.amount} {r.currency} ({r.category}) for {r.employee}", r.employee, r.amount
        )


class ExpenseResult(RunResult):
    status: Literal["paid", "rejected", "withdrawn"]
    amount: Decimal
    currency: str
    payout_reference: str | None = None
