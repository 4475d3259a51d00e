"""The schema as the first versions created it (with create_all): text money and
payloads. A database from then has these tables and no version: it is stamped 0001."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("reference", sa.String(40), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_bookings_kind_subject", "bookings", ["kind", "subject"])
    op.create_table(
        "outbox",
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
    op.create_table(
        "blocked_accounts",
        sa.Column("account", sa.String(64), primary_key=True),
        sa.Column("reason", sa.String(300), nullable=False),
    )
    op.create_table(
        "subject_locks",
        sa.Column("name", sa.String(300), primary_key=True),
        sa.Column("bookings", sa.Integer, nullable=False),
    )
    op.create_table(
        "catalog",
        sa.Column("sku", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit_price", sa.String(20), nullable=False),
        sa.Column("weight_kg", sa.String(20), nullable=False),
        sa.Column("on_hand", sa.Integer, nullable=False),
        sa.Column("reserved", sa.Integer, nullable=False),
        sa.CheckConstraint("reserved >= 0 AND on_hand >= reserved", name="stock_never_negative"),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("credit_limit", sa.String(20), nullable=False),
        sa.Column("distance_km", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for table in ("customers", "catalog", "subject_locks", "blocked_accounts", "outbox"):
        op.drop_table(table)
    op.drop_index("ix_bookings_kind_subject", "bookings")
    op.drop_table("bookings")
