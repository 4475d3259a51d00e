"""The system of record's tables, as the newest migration leaves them
(valuechain/records/migrations/: Alembic, applied by `python -m valuechain.records migrate`
and at every worker's start; nothing creates tables behind their back).

Money is NUMERIC (exact on PostgreSQL; SQLite, which has no decimal type, keeps it as a
float read back rounded to the column's scale), payloads are JSON.
"""

from __future__ import annotations

import sqlalchemy as sa

MONEY = sa.Numeric(14, 2)

metadata = sa.MetaData()

bookings = sa.Table(
    "bookings",
    metadata,
    sa.Column("key", sa.String(300), primary_key=True),
    sa.Column("reference", sa.String(40), nullable=False, unique=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    # The booking's money where it has any (invoices, payments, refunds): what the
    # customer's exposure sums in SQL.
    sa.Column("amount", MONEY),
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
    # When it went out by email (none: not mailed, or no mail server set).
    sa.Column("mailed_at", sa.DateTime(timezone=True)),
    # When the mailer should (next) try to mail it (none: nothing left to mail); a try
    # moves it on first, so a mailer that dies mid-send leaves it to the next one.
    sa.Column("mail_after", sa.DateTime(timezone=True)),
    sa.Index("ix_outbox_mail_after", "mail_after"),
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


# Products and their stock. `on_hand - reserved` is what new orders may reserve; every
# change runs inside the transaction of the booking that causes it.
catalog = sa.Table(
    "catalog",
    metadata,
    sa.Column("sku", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("unit_price", MONEY, nullable=False),
    sa.Column("weight_kg", sa.Numeric(10, 3), nullable=False),
    sa.Column("on_hand", sa.Integer, nullable=False),
    sa.Column("reserved", sa.Integer, nullable=False, default=0),
    sa.CheckConstraint("reserved >= 0 AND on_hand >= reserved", name="stock_never_negative"),
)

customers = sa.Table(
    "customers",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("credit_limit", MONEY, nullable=False),
    sa.Column("distance_km", sa.Integer, nullable=False),
)
