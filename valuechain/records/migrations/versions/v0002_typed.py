"""Money as NUMERIC, payloads as JSON, and each booking's amount in a column of its own
(filled from the payloads already there), so a customer's exposure is one SQL SUM."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"

MONEY = sa.Numeric(14, 2)


def _retype(batch: Any, column: str, new: Any, old: Any, pg_type: str) -> None:
    # PostgreSQL converts a column's values only when told how.
    using = f"{column}::{pg_type}" if op.get_bind().dialect.name == "postgresql" else None
    batch.alter_column(
        column, type_=new, existing_type=old, existing_nullable=False, postgresql_using=using
    )


def upgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        _retype(batch, "payload", sa.JSON, sa.Text, "json")
        batch.add_column(sa.Column("amount", MONEY))
    with op.batch_alter_table("catalog") as batch:
        _retype(batch, "unit_price", MONEY, sa.String(20), "numeric")
        _retype(batch, "weight_kg", sa.Numeric(10, 3), sa.String(20), "numeric")
    with op.batch_alter_table("customers") as batch:
        _retype(batch, "credit_limit", MONEY, sa.String(20), "numeric")
    bookings = sa.table(
        "bookings", sa.column("key", sa.String), sa.column("payload", sa.Text),
        sa.column("amount", MONEY),
    )  # fmt: skip
    conn = op.get_bind()
    rows = conn.execute(sa.select(bookings.c.key, sa.cast(bookings.c.payload, sa.Text))).all()
    for key, payload in rows:
        amount = json.loads(payload).get("amount")
        if amount is not None:
            conn.execute(
                bookings.update().where(bookings.c.key == key).values(amount=Decimal(amount))
            )


def downgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.alter_column("credit_limit", type_=sa.String(20), existing_type=MONEY)
    with op.batch_alter_table("catalog") as batch:
        batch.alter_column("weight_kg", type_=sa.String(20), existing_type=sa.Numeric(10, 3))
        batch.alter_column("unit_price", type_=sa.String(20), existing_type=MONEY)
    with op.batch_alter_table("bookings") as batch:
        batch.drop_column("amount")
        batch.alter_column("payload", type_=sa.Text, existing_type=sa.JSON)
