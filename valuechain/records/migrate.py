"""Bring a system-of-record database to the newest schema (Alembic migrations in
`migrations/`). Safe to run from several processes at once (workers starting together):
one migrates, the others wait and find nothing left to do. A database the first versions
made with create_all (tables, no version) is stamped as version 0001 first.

    python -m valuechain.records migrate     (VALUECHAIN_DATABASE_URL, or the SQLite file)
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from valuechain.records.store import SystemOfRecord

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
LOCK_ID = 0x56414C55  # "VALU": the advisory lock all migrating processes take on PostgreSQL


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert revision is not None
    return revision


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def _sqlite_lock(engine: Engine) -> Iterator[None]:
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Apply what is missing; return (the version before, the version now)."""
    lock = _sqlite_lock(engine) if engine.dialect.name == "sqlite" else _no_lock()
    with lock, engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
        config = _config(conn)
        before = current(conn)
        if before is None and sa.inspect(conn).has_table("bookings"):
            command.stamp(config, "0001")  # made by create_all before migrations
            before = "0001"
        command.upgrade(config, "head")
        return before, head()


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


def open_store(url: str) -> SystemOfRecord:
    """The system of record at `url`, its schema brought up to date first (what every
    process that books calls once at its start)."""
    store = SystemOfRecord(url)
    migrate(store.engine)
    return store
