from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from valuechain.models.common import NAME_PATTERN, Item, Model, RunContext
from valuechain.models.result import RunResult

ExpenseCategory = Literal["travel", "meals", "lodging", "equipment", "training", "other"]


class ExpenseRequest(Model):
    employee: str = Field(pattern=NAME_PATTERN, max_length=64)
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    category: ExpenseCategory
    description: str = Field(min_length=1, max_length=500)
    receipts: list[Item] = Field(min_length=1, max_length=50)
    payee_account: str = Field(min_length=4, max_length=64)
    max_send_backs: int = Field(default=3, ge=0, le=20)


class ExpenseInput(Model):
    request: ExpenseRequest
    context: RunContext


class ExpenseResult(RunResult):
    status: Literal["paid", "rejected", "withdrawn"]
    amount: Decimal
    currency: str
    payout_reference: str | None = None
