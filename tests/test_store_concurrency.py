"""Bookings checked against each other (a blog slug, an employee's days off, the last
units in stock) stay right when several workers book at the same moment, on SQLite and
on PostgreSQL: without the subject's lock, two transactions both passed the check (on
PostgreSQL under READ COMMITTED, on SQLite because its driver begins a transaction at
the first write only, after the check's read)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.bookings import BookingActivities
from activities.orders import OrderActivities
from activities.store import SystemOfRecord
from tests.helpers.postgres import find_bin_dir, postgres_server
from valuechain import errors
from valuechain.models.orders import ReserveInput
from valuechain.models.records import PublishInput, TimeOffRecordInput

AT_ONCE = 8


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        if os.environ.get("CI"):
            raise RuntimeError("CI must run the PostgreSQL tests: install Debian's postgresql")
        pytest.skip("no PostgreSQL server binaries: `apt-get install postgresql` (CI does)")
    with postgres_server(bin_dir) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def records(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SystemOfRecord]:
    """A fresh system of record on each database: its own file, or its own database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'records.db'}"
    else:
        server: str = request.getfixturevalue("postgres")
        name = f"records_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))
        admin.dispose()
        url = server.rsplit("/", 1)[0] + f"/{name}"
    store = SystemOfRecord(url)
    yield store
    store.close()


async def at_once(calls: list[Any]) -> list[Any]:
    """Run activity calls together, each in its own activity context; results or errors."""
    return await asyncio.gather(*(ActivityEnvironment().run(fn, arg) for fn, arg in calls),
                                return_exceptions=True)  # fmt: skip


async def test_one_slug_published_once_when_many_publish_at_once(
    records: SystemOfRecord,
) -> None:
    publish = BookingActivities(records).publish_post
    calls = [
        (
            publish,
            PublishInput(
                key=f"blog-{i}:publish",
                step="publish",
                post_id=f"p{i}",
                slug="launch-day",
                title=f"Launch day {i}",
                images=[],
            ),
        )
        for i in range(AT_ONCE)
    ]
    outcomes = await at_once(calls)
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(refused) == AT_ONCE - 1, outcomes
    assert {o.type for o in refused} == {errors.SLUG_TAKEN}
    assert len(records.bookings("publication", "launch-day")) == 1


async def test_overlapping_time_off_booked_once_when_requested_at_once(
    records: SystemOfRecord,
) -> None:
    record = BookingActivities(records).record_time_off
    calls = [
        (
            record,
            TimeOffRecordInput(
                key=f"timeoff-{i}:hr_record",
                step="hr_record",
                employee="bob",
                first_day=date(2026, 12, 20 + i % 3),
                last_day=date(2026, 12, 24),
                kind="vacation",
            ),
        )
        for i in range(AT_ONCE)
    ]
    outcomes = await at_once(calls)
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(refused) == AT_ONCE - 1, outcomes
    assert {o.type for o in refused} == {errors.TIME_OFF_OVERLAP}
    assert len(records.bookings("time_off", "bob")) == 1


async def test_the_last_units_are_reserved_once_when_orders_reserve_at_once(
    records: SystemOfRecord,
) -> None:
    records.add_product("LAMP-1", "Desk lamp", Decimal("30"), Decimal("1.2"), on_hand=5)
    reserve = OrderActivities(records).reserve_stock
    calls = [
        (
            reserve,
            ReserveInput(
                key=f"order-{i}:reserve", step="reserve", order_id=f"order-{i}", sku="LAMP-1", qty=2
            ),
        )
        for i in range(AT_ONCE)
    ]
    outcomes = await at_once(calls)
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(refused) == AT_ONCE - 2, outcomes  # 5 units: two orders of 2
    assert {o.type for o in refused} == {errors.STOCK_SHORT}
    assert records.stock("LAMP-1") == (5, 4)
