"""The system of record's schema is the migrations': a database of the first versions
(created by create_all, text money and payloads) is stamped and upgraded with its data
kept; processes starting together migrate once; money is exact, payloads are JSON, and a
customer's exposure is one SQL sum. On SQLite and on a throwaway PostgreSQL server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from activities.seed import seed_demo_data
from tests.helpers.cli import cli_env, run_cli
from tests.helpers.needs import need_postgres
from tests.helpers.postgres import postgres_server
from valuechain.records import migrate as records
from valuechain.records.engine import engine_for
from valuechain.records.store import SystemOfRecord


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'records.db'}"
        return
    with postgres_server(need_postgres()) as server:
        yield server


def first_version_database(url: str) -> None:
    """What the first versions left behind: the 0001 tables, rows in them, no version."""
    engine = engine_for(url)
    with engine.begin() as conn:
        command.upgrade(records._config(conn), "0001")
        conn.execute(sa.text("DROP TABLE alembic_version"))
        rows = [
            ("inv-1", "INV-1", "invoice", "C-ACME", {"order": "o1", "amount": "100.10"}),
            ("inv-2", "INV-2", "invoice", "C-ACME", {"order": "o2", "amount": "50.05"}),
            ("pay-1", "PAY-1", "payment", "C-ACME",
             {"order": "o1", "invoice": "INV-1", "amount": "30.00"}),
            ("void-2", "INV-V2", "invoice_void", "C-ACME", {"order": "o2", "invoice": "INV-2"}),
            ("res-1", "RES-1", "reservation", "o1", {"sku": "KETTLE-2", "qty": 2}),
        ]  # fmt: skip
        for key, reference, kind, subject, payload in rows:
            conn.execute(
                sa.text(
                    "INSERT INTO bookings (key, reference, kind, subject, payload, created_at)"
                    " VALUES (:k, :r, :kind, :s, :p, CURRENT_TIMESTAMP)"
                ),
                {"k": key, "r": reference, "kind": kind, "s": subject, "p": json.dumps(payload)},
            )
        conn.execute(
            sa.text(
                "INSERT INTO catalog (sku, name, unit_price, weight_kg, on_hand, reserved)"
                " VALUES ('KETTLE-2', 'Kettle 2', '49.90', '1.2', 10, 2)"
            )
        )
    engine.dispose()


def test_a_database_of_the_first_versions_is_upgraded_with_its_data(url: str) -> None:
    first_version_database(url)
    engine = engine_for(url)
    before, now = records.migrate(engine)
    assert (before, now) == ("0001", records.head())
    store = SystemOfRecord(url)
    assert store.exposure("C-ACME") == Decimal("70.10")  # 100.10 - 30.00; INV-2 voided
    reservation = store.bookings("reservation")[0]
    assert reservation.payload == {"sku": "KETTLE-2", "qty": 2}  # JSON, not text
    kettle = store.products(["KETTLE-2"])["KETTLE-2"]
    assert kettle.unit_price == Decimal("49.90")
    assert isinstance(kettle.unit_price, Decimal)
    assert store.stock("KETTLE-2") == (10, 2)
    assert records.migrate(engine) == (now, now)  # nothing left to do
    store.close()
    engine.dispose()


def test_processes_starting_together_migrate_once(url: str) -> None:
    def start(_: int) -> tuple[str | None, str]:
        engine = engine_for(url)
        try:
            return records.migrate(engine)
        finally:
            engine.dispose()

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(start, range(6)))
    head = records.head()
    assert outcomes.count((None, head)) == 1  # one migrated from nothing
    assert outcomes.count((head, head)) == 5  # the others found it done


def test_a_reader_does_not_hold_up_a_booking_on_sqlite(tmp_path: Path) -> None:
    """A report or the task list reading the records while the workers book. Under
    SQLite's rollback journal the reader's open transaction keeps every commit waiting
    (up to the 30 s lock timeout); with the write-ahead log the booking goes through at
    once, and the reader goes on seeing the records as they were when it began."""
    store = records.open_store(f"sqlite:///{tmp_path / 'records.db'}")
    count = "SELECT count(*) FROM bookings"
    with store.engine.connect() as reader, ThreadPoolExecutor(max_workers=1) as pool:
        reader.exec_driver_sql("BEGIN")
        assert reader.exec_driver_sql(count).scalar_one() == 0
        booking = pool.submit(store.book, "pub-1", "publication", "blog", {"slug": "a"})
        assert booking.result(timeout=10).key == "pub-1"  # not held up by the reader
        assert reader.exec_driver_sql(count).scalar_one() == 0  # its snapshot
        reader.exec_driver_sql("COMMIT")
        assert reader.exec_driver_sql(count).scalar_one() == 1
    store.close()


def test_money_is_exact_and_exposure_is_one_sum(url: str) -> None:
    store = records.open_store(url)
    seed_demo_data(store)
    acme = store.customer("C-ACME")
    assert acme is not None
    assert acme.credit_limit == Decimal("250000.00")
    for i in range(10):
        store.book(f"inv-{i}", "invoice", "C-GLOBEX", {"order": f"o{i}", "amount": "0.10"})
    store.book("pay", "payment", "C-GLOBEX", {"order": "o0", "invoice": "x", "amount": "0.30"})
    assert store.exposure("C-GLOBEX") == Decimal("0.70")  # 10 x 0.10 - 0.30, to the cent
    assert store.exposure("nobody") == Decimal("0.00")
    store.close()


async def test_the_migrate_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'records.db'}"
    env = cli_env("unused:7233", "q", url)
    ran = await run_cli("migrate", env=env)
    assert ran.code == 0, ran.err
    assert f"None -> {records.head()}" in ran.out
    again = await run_cli("migrate", "--json", env=env)
    assert json.loads(again.out)["now"] == records.head()
    bad = await run_cli("migrate", "--to", "0001", env=env)
    assert bad.code == 2
    assert "Unknown option: --to" in bad.err
