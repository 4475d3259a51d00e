"""Domain checks a booking runs inside its own transaction: what must hold for it to be
written (stock free, slug free, payee not blocked, no overlapping time off), and what it
changes with it (stock moves). A check that fails raises DomainError: nothing is written.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from valuechain import errors
from valuechain.records.engine import insert_for
from valuechain.records.schema import blocked_accounts, bookings, catalog, subject_locks
from valuechain.records.store import Check, DomainError


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
    """Hold `name`'s lock until this transaction ends (see `subject_locks`): an upsert of
    its row, which a second writer of the same subject waits on."""
    row = subject_locks.c
    conn.execute(
        insert_for(conn, subject_locks)
        .values(name=name, bookings=1)
        .on_conflict_do_update(index_elements=["name"], set_={"bookings": row.bookings + 1})
    )


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
        for reference, other in rows:
            # ISO dates compare correctly as strings.
            if other["first_day"] <= last_day and first_day <= other["last_day"]:
                raise DomainError(
                    errors.TIME_OFF_OVERLAP,
                    f"{employee} already has time off {other['first_day']}..{other['last_day']}"
                    f" ({reference})",
                )

    return check
