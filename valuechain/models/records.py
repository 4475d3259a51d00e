"""Inputs and outputs of the automated steps that book into the system of record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from valuechain.models.common import Model


class BookingInput(Model):
    """What every booking carries: its step, and the key that makes a retry book once
    (the workflow id and the step)."""

    key: str
    step: str


class BookingOutput(Model):
    reference: str
    duplicate: bool  # True when a retry found the booking already written


class PayoutInput(BookingInput):
    expense_id: str
    employee: str
    payee_account: str
    amount: Decimal = Field(gt=0)
    currency: str


class ArchiveInput(BookingInput):
    document_id: str
    title: str
    version: int
    location: str


class PublishInput(BookingInput):
    post_id: str
    slug: str
    title: str
    images: list[str]


class TimeOffRecordInput(BookingInput):
    employee: str
    first_day: date
    last_day: date
    kind: str


class LaunchRecordInput(BookingInput):
    product: str
    branches: list[str]
