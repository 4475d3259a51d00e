"""Inputs and outputs of the automated steps that book into the system of record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from valuechain.models.common import Model


class BookingOutput(Model):
    reference: str
    duplicate: bool  # True when a retry found the booking already written


class PayoutInput(Model):
    key: str
    step: str
    expense_id: str
    employee: str
    payee_account: str
    amount: Decimal = Field(gt=0)
    currency: str


class ArchiveInput(Model):
    key: str
    step: str
    document_id: str
    title: str
    version: int
    location: str


class PublishInput(Model):
    key: str
    step: str
    post_id: str
    slug: str
    title: str
    images: list[str]


class TimeOffRecordInput(Model):
    key: str
    step: str
    employee: str
    first_day: date
    last_day: date
    kind: str


class LaunchRecordInput(Model):
    key: str
    step: str
    product: str
    branches: list[str]
