"""The system of record: bookings, the notification outbox, blocked payee accounts.

Every write is keyed by the caller (workflow id + step), so an activity retried after it
wrote finds its own booking and returns it instead of booking twice. Blocking calls: the
activities run these through `asyncio.to_thread`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from valuechain import errors
from valuechain.models.notify import NotifyInput

metadata = sa.MetaData()

bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("reference", sa.String(40), nullable=False, unique=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_bookings_kind_subject", "kind", "subject"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(300), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("recipient", sa.String(200), nullable=False),
    sa.Column("subject", sa.String(300), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("workflow_id", sa.String(300), nullable=False),
    sa.Column("task_id", sa.String(200)),
    sa.Column("step", sa.String(100)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

blocked_accounts = sa.Table(
    "blocked_accounts",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("reason", sa.String(300), nullable=False),
)

# One row per subject whose bookings are checked against each other (a blog slug, an
# employee's days off). A check first updates its subject's row: the row lock (the write
# lock on SQLite) makes a second booking of the same subject wait until the first one
# commits, and then its check sees it. Without it two READ COMMITTED transactions (or
# SQLite, whose driver starts a transaction at the first write only) both pass the check.
subject_locks = sa.Table(
    "subject_locks",
    metadata,
    sa.Column("name", sa.String(300), primary_key=True),
    sa.Column("bookings", sa.Integer, nullable=False),
)


# Products and their stock. Amounts and weights are stored as text: exact decimals on
# every database. `on_hand - reserved` is what new orders may reserve; every change runs
# inside the transaction of the booking that causes it.
catalog = sa.Table(
    "catalog",
    metadata,
    sa.Column("sku", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("unit_price", sa.String(20), nullable=False),
    sa.Column("weight_kg", sa.String(20), nullable=False),
    sa.Column("on_hand", sa.Integer, nullable=False),
    sa.Column("reserved", sa.Integer, nullable=False, default=0),
    sa.CheckConstraint("reserved >= 0 AND on_hand >= reserved", name="stock_never_negative"),
)

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("credit_limit", sa.String(20), nullable=False),
    sa.Column("distance_km", sa.Integer, nullable=False),
)


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


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    kind: str
    recipient: str
    subject: str
    message: str
    workflow_id: str
    task_id: str | None
    step: str | None
    created_at: datetime


def reference_for(kind: str, key: str) -> str:
    # Derived from the key, so the same booking always has the same reference.
    return f"{kind[:3].upper()}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # Several worker processes share the file: wait for a lock instead of failing.
        return sa.create_engine(url, connect_args={"timeout": 30})
    return sa.create_engine(url, pool_pre_ping=True)


Check = Callable[[Connection], None]


class SystemOfRecord:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)
        metadata.create_all(self.engine)

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
        a repeat with a different payload is a conflict, never a silent overwrite."""
        canonical = json.dumps(payload, sort_keys=True, default=str)
        for _ in range(3):
            existing = self._booking(key)
            if existing is not None:
                if existing.payload != json.loads(canonical):
                    raise DomainError(
                        errors.BOOKING_CONFLICT,
                        f"booking {key} exists with other details ({existing.reference})",
                    )
                return Booking(**{**existing.__dict__, "duplicate": True})
            try:
                with self.engine.begin() as conn:
                    if check is not None:
                        check(conn)
                    now = datetime.now(UTC)
                    conn.execute(
                        bookings.insert().values(
                            key=key,
                            reference=reference_for(kind, key),
                            kind=kind,
                            subject=subject,
                            payload=canonical,
                            created_at=now,
                        )
                    )
                return Booking(key, reference_for(kind, key), kind, subject, payload, now)
            except IntegrityError:
                # Another attempt wrote the same key between our read and insert, or the
                # first lock row of a subject: read again, then try again.
                continue
        raise RuntimeError(f"booking {key} could not be written or read back")

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
                    sku=sku, name=name, unit_price=str(unit_price), weight_kg=str(weight_kg),
                    on_hand=on_hand, reserved=0,
                )
            )  # fmt: skip

    def add_customer(self, id: str, name: str, credit_limit: Decimal, distance_km: int) -> None:
        with self.engine.begin() as conn:
            if conn.execute(sa.select(customers.c.id).where(customers.c.id == id)).first():
                return
            conn.execute(
                customers.insert().values(
                    id=id, name=name, credit_limit=str(credit_limit), distance_km=distance_km
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
        """What the customer owes on invoices not voided: invoiced - paid + refunded."""
        owed = Decimal(0)
        signs = {"invoice": 1, "payment": -1, "refund": 1}
        voided = {b.payload["invoice"] for b in self.bookings("invoice_void", customer)}
        for kind, sign in signs.items():
            for b in self.bookings(kind, customer):
                if kind == "invoice" and b.reference in voided:
                    continue
                owed += sign * Decimal(b.payload["amount"])
        return owed

    # -- blocked accounts -------------------------------------------------------------

    def block_account(self, account: str, reason: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.delete(blocked_accounts).where(blocked_accounts.c.account == account))
            conn.execute(blocked_accounts.insert().values(account=account, reason=reason))

    # -- outbox -----------------------------------------------------------------------

    def add_to_outbox(self, notice: NotifyInput) -> tuple[int, bool]:
        """Add a notice once per key; returns (id, whether it was already there)."""
        lookup = sa.select(outbox.c.id).where(outbox.c.key == notice.key)
        with self.engine.connect() as conn:
            found = conn.execute(lookup).scalar()
        if found is not None:
            return int(found), True
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    outbox.insert().values(**notice.model_dump(), created_at=datetime.now(UTC))
                )
                inserted = result.inserted_primary_key
                assert inserted is not None
                return int(inserted[0]), False
        except IntegrityError:
            # A retry of the same notice raced this one in; theirs stands.
            with self.engine.connect() as conn:
                return int(conn.execute(lookup).scalar_one()), True

    def outbox(
        self, recipient: str | None = None, workflow_id: str | None = None, limit: int = 200
    ) -> list[OutboxEntry]:
        query = sa.select(outbox).order_by(outbox.c.id.desc()).limit(limit)
        if recipient:
            query = query.where(outbox.c.recipient == recipient)
        if workflow_id:
            query = query.where(outbox.c.workflow_id == workflow_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            OutboxEntry(
                r.id,
                r.kind,
                r.recipient,
                r.subject,
                r.message,
                r.workflow_id,
                r.task_id,
                r.step,
                _utc(r.created_at),
            )
            for r in reversed(rows)
        ]


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time written here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _to_booking(row: Any) -> Booking:
    return Booking(
        row.key, row.reference, row.kind, row.subject, json.loads(row.payload), _utc(row.created_at)
    )


# -- domain checks, run inside the booking's transaction -------------------------------


def payee_not_blocked(account: str) -> Check:
    def check(conn: Connection) -> None:
        reason = conn.execute(
            sa.select(blocked_accounts.c.reason).where(blocked_accounts.c.account == account)
        ).scalar()
        if reason is not None:
            raise DomainError(
                errors.PAYOUT_REJECTED, f"payee account {account} is blocked: {reason}"
            )

    return check


def reserve(sku: str, qty: int) -> Check:
    """Reserve `qty` of `sku` if that many are free; the conditional update is atomic, so
    concurrent orders can never drive stock below zero."""

    def check(conn: Connection) -> None:
        done = conn.execute(
            sa.update(catalog)
            .where(catalog.c.sku == sku, catalog.c.on_hand - catalog.c.reserved >= qty)
            .values(reserved=catalog.c.reserved + qty)
        )
        if done.rowcount == 0:
            row = conn.execute(
                sa.select(catalog.c.on_hand, catalog.c.reserved).where(catalog.c.sku == sku)
            ).first()
            free = 0 if row is None else row.on_hand - row.reserved
            raise DomainError(errors.STOCK_SHORT, f"{sku}: {qty} wanted, {free} free")

    return check


def adjust_stock(sku: str, on_hand: int = 0, reserved: int = 0) -> Check:
    """Move stock by the given amounts (a release, a receipt, goods shipped or returned)."""

    def check(conn: Connection) -> None:
        conn.execute(
            sa.update(catalog)
            .where(catalog.c.sku == sku)
            .values(on_hand=catalog.c.on_hand + on_hand, reserved=catalog.c.reserved + reserved)
        )

    return check


def all_of(*checks: Check) -> Check:
    def check(conn: Connection) -> None:
        for each in checks:
            each(conn)

    return check


def lock_subject(conn: Connection, name: str) -> None:
    """Hold `name`'s lock until this transaction ends (see `subject_locks`)."""
    row = subject_locks.c
    updated = conn.execute(
        sa.update(subject_locks).where(row.name == name).values(bookings=row.bookings + 1)
    )
    if updated.rowcount == 0:
        # The first booking of this subject: a concurrent one waits on the primary key,
        # then fails with IntegrityError, and `book` tries again (now behind the lock).
        conn.execute(subject_locks.insert().values(name=name, bookings=1))


def slug_free(slug: str, key: str) -> Check:
    def check(conn: Connection) -> None:
        lock_subject(conn, f"publication:{slug}")
        other = conn.execute(
            sa.select(bookings.c.reference).where(
                bookings.c.kind == "publication",
                bookings.c.subject == slug,
                bookings.c.key != key,
            )
        ).scalar()
        if other is not None:
            raise DomainError(errors.SLUG_TAKEN, f"slug '{slug}' is already published ({other})")

    return check


def no_time_off_overlap(employee: str, first_day: str, last_day: str) -> Check:
    def check(conn: Connection) -> None:
        lock_subject(conn, f"time_off:{employee}")
        rows = conn.execute(
            sa.select(bookings.c.reference, bookings.c.payload).where(
                bookings.c.kind == "time_off", bookings.c.subject == employee
            )
        ).all()
        for reference, payload in rows:
            other = json.loads(payload)
            # ISO dates compare correctly as strings.
            if other["first_day"] <= last_day and first_day <= other["last_day"]:
                raise DomainError(
                    errors.TIME_OFF_OVERLAP,
                    f"{employee} already has time off {other['first_day']}..{other['last_day']}"
                    f" ({reference})",
                )

    return check
