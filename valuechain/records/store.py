"""The system of record: bookings, the notification outbox, blocked payee accounts,
stock and customers.

Every write is keyed by the caller (workflow id + step), so an activity retried after it
wrote finds its own booking and returns it instead of booking twice. The schema is the
migrations' (`valuechain.records.migrate`): a store never creates tables. Blocking calls:
the activities run these off the event loop.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from valuechain import errors
from valuechain.records.engine import as_utc, engine_for, insert_for
from valuechain.records.outbox import Outbox
from valuechain.records.schema import blocked_accounts, bookings, catalog, customers


class DomainError(Exception):
    """A booking that must not happen; retrying will not change the answer."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


@dataclass(frozen=True)
class Booking:
    key: str
    reference: str
    kind: str
    subject: str
    payload: dict[str, Any]
    created_at: datetime
    duplicate: bool = False


def reference_for(kind: str, key: str) -> str:
    # Derived from the key, so the same booking always has the same reference.
    return f"{kind[:3].upper()}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


Check = Callable[[Connection], None]  # a rule a booking must pass, in its transaction


class _Raced(Exception):
    """Another writer booked the same key between this transaction's read and insert."""


def _json(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the JSON column gives it back (decimals and dates as text)."""
    return dict(json.loads(json.dumps(payload, sort_keys=True, default=str)))


class SystemOfRecord(Outbox):
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for(url)

    def close(self) -> None:
        self.engine.dispose()

    # -- bookings ---------------------------------------------------------------------

    def book(
        self,
        key: str,
        kind: str,
        subject: str,
        payload: dict[str, Any],
        check: Check | None = None,
    ) -> Booking:
        """Write a booking once. A repeat with the same payload returns the first one;
        a repeat with a different payload is a conflict, never a silent overwrite. The
        check, the insert and what the check changes share one transaction: a booking
        that another writer made first rolls all of it back."""
        payload = _json(payload)
        amount = payload.get("amount")
        try:
            with self.engine.begin() as conn:
                existing = conn.execute(sa.select(bookings).where(bookings.c.key == key)).first()
                if existing is not None:
                    return self._repeat(_to_booking(existing), payload)
                if check is not None:
                    check(conn)
                now = datetime.now(UTC)
                inserted = conn.execute(
                    insert_for(conn, bookings)
                    .values(
                        key=key, reference=reference_for(kind, key), kind=kind,
                        subject=subject, payload=payload, created_at=now,
                        amount=Decimal(amount) if amount is not None else None,
                    )
                    .on_conflict_do_nothing(index_elements=["key"])
                )  # fmt: skip
                if inserted.rowcount == 0:
                    raise _Raced()
            return Booking(key, reference_for(kind, key), kind, subject, payload, now)
        except _Raced:
            raced = self._booking(key)
            assert raced is not None  # the other writer committed it
            return self._repeat(raced, payload)

    @staticmethod
    def _repeat(existing: Booking, payload: dict[str, Any]) -> Booking:
        if existing.payload != payload:
            raise DomainError(
                errors.BOOKING_CONFLICT,
                f"booking {existing.key} exists with other details ({existing.reference})",
            )
        return Booking(**{**existing.__dict__, "duplicate": True})

    def _booking(self, key: str) -> Booking | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(bookings).where(bookings.c.key == key)).first()
        return _to_booking(row) if row else None

    def bookings(self, kind: str | None = None, subject: str | None = None) -> list[Booking]:
        query = sa.select(bookings).order_by(bookings.c.created_at)
        if kind:
            query = query.where(bookings.c.kind == kind)
        if subject:
            query = query.where(bookings.c.subject == subject)
        with self.engine.connect() as conn:
            return [_to_booking(row) for row in conn.execute(query)]

    # -- catalog, stock and customers ---------------------------------------------------

    def add_product(
        self, sku: str, name: str, unit_price: Decimal, weight_kg: Decimal, on_hand: int
    ) -> None:
        """Add a product unless it is there already (seeding is safe to repeat)."""
        with self.engine.begin() as conn:
            if conn.execute(sa.select(catalog.c.sku).where(catalog.c.sku == sku)).first():
                return
            conn.execute(
                catalog.insert().values(
                    sku=sku, name=name, unit_price=unit_price, weight_kg=weight_kg,
                    on_hand=on_hand, reserved=0,
                )
            )  # fmt: skip

    def add_customer(self, id: str, name: str, credit_limit: Decimal, distance_km: int) -> None:
        with self.engine.begin() as conn:
            if conn.execute(sa.select(customers.c.id).where(customers.c.id == id)).first():
                return
            conn.execute(
                customers.insert().values(
                    id=id, name=name, credit_limit=credit_limit, distance_km=distance_km
                )
            )

    def products(self, skus: list[str]) -> dict[str, Any]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(catalog).where(catalog.c.sku.in_(skus))).all()
        return {row.sku: row for row in rows}

    def customer(self, id: str) -> Any | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(customers).where(customers.c.id == id)).first()

    def stock(self, sku: str) -> tuple[int, int]:
        """(on hand, reserved) of a product."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(catalog.c.on_hand, catalog.c.reserved).where(catalog.c.sku == sku)
            ).one()
        return int(row.on_hand), int(row.reserved)

    def exposure(self, customer: str) -> Decimal:
        """What the customer owes on invoices not voided: invoiced - paid + refunded, in
        one SQL sum."""
        b = bookings.c
        voids = bookings.alias("voids")
        voided = sa.select(voids.c.payload["invoice"].as_string()).where(
            voids.c.kind == "invoice_void", voids.c.subject == customer
        )
        signed = sa.case((b.kind == "payment", -b.amount), else_=b.amount)
        owed = sa.select(sa.func.coalesce(sa.func.sum(signed), 0)).where(
            b.subject == customer,
            b.kind.in_(("invoice", "payment", "refund")),
            sa.not_(sa.and_(b.kind == "invoice", b.reference.in_(voided))),
        )
        with self.engine.connect() as conn:
            total = conn.execute(owed).scalar_one()
        return Decimal(total).quantize(Decimal("0.01"))

    # -- blocked accounts -------------------------------------------------------------

    def block_account(self, account: str, reason: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(blocked_accounts).where(blocked_accounts.c.account == account))
            conn.execute(blocked_accounts.insert().values(account=account, reason=reason))


def _to_booking(row: Any) -> Booking:
    return Booking(
        row.key, row.reference, row.kind, row.subject, row.payload, as_utc(row.created_at)
    )
