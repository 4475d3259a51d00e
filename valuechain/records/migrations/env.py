"""Alembic's environment: run by `valuechain.records.migrate`, which hands over the
connection (taken under a lock, so workers starting together migrate once)."""

from __future__ import annotations

from alembic import context

from valuechain.records.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters a table by copying it
)
with context.begin_transaction():
    context.run_migrations()
