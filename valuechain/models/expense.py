from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import Field

from valuechain.models.common import (
    Currency,
    Item,
    Login,
    Model,
    RunContext,
    Text,
)
from valuechain.models.result import RunResult

ExpenseCategory = Literal["travel", "meals", "lodging", "equipment", "training", "other"]


class ExpenseRequest(Model):
    employee: Login
    amount: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    currency: Currency = "USD"
    category: ExpenseCategory
    description: Text
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
