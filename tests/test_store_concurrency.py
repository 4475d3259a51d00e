"""Bookings checked against each other (a blog slug, an employee's days off, the last
units in stock) stay right when several workers book at the same moment, on SQLite and
on PostgreSQL: without the subject's lock, two transactions both passed the check (on
PostgreSQL under READ COMMITTED, on SQLite because its driver begins a transaction at
the first write only, after the check's read)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.bookings import BookingActivities
from activities.order_to_cash import OrderActivities
from tests.helpers.needs import need_postgres
from tests.helpers.postgres import postgres_server
from valuechain import errors
from valuechain.models.orders import ReserveInput
from valuechain.models.records import BookingOutput, PublishInput, TimeOffRecordInput
from valuechain.records.migrate import open_store
from valuechain.records.store import SystemOfRecord

AT_ONCE = 8
ROUNDS = 10  # a race shows in some rounds only: several make a lost check all but certain


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with postgres_server(need_postgres()) as url:
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
    store = open_store(url)
    yield store
    store.close()


async def booked_at_once(activity: Callable[[Any], Any], inputs: list[Any], refusal: str) -> int:
    """Run the activity on every input together, each in its own activity context; every
    one that did not book must be refused with `refusal`. Returns how many booked."""
    # Enough threads that every booking's transaction runs at the same time.
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(len(inputs)))
    outcomes = await asyncio.gather(
        *(asyncio.to_thread(ActivityEnvironment().run, activity, arg) for arg in inputs),
        return_exceptions=True,
    )
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert {o.type for o in refused} <= {refusal}, outcomes
    assert all(isinstance(o, (ApplicationError, BookingOutput)) for o in outcomes), outcomes
    return len(outcomes) - len(refused)


def _same_slug(r: int) -> list[PublishInput]:
    return [
        PublishInput(key=f"blog-{r}-{i}:publish", step="publish", post_id=f"p{r}-{i}",
                     slug=f"launch-day-{r}", title=f"Launch day {i}", images=[])
        for i in range(AT_ONCE)
    ]  # fmt: skip


def _overlapping_days(r: int) -> list[TimeOffRecordInput]:
    return [
        TimeOffRecordInput(key=f"timeoff-{r}-{i}:hr_record", step="hr_record",
                           employee=f"bob{r}", first_day=date(2026, 12, 20 + i % 3),
                           last_day=date(2026, 12, 24), kind="vacation")
        for i in range(AT_ONCE)
    ]  # fmt: skip


@dataclass(frozen=True)
class Clash:
    """Bookings that exclude one another, made at the same moment: all but one refused."""

    activity: str  # the BookingActivities method
    bookings: Callable[[int], list[Any]]  # those of round r
    refusal: str
    kind: str  # what is booked once, and its subject in round r
    subject: str


CLASHES = {
    "one slug published": Clash(
        "publish_post", _same_slug, errors.SLUG_TAKEN, "publication", "launch-day-{}"
    ),
    "overlapping time off": Clash(
        "record_time_off", _overlapping_days, errors.TIME_OFF_OVERLAP, "time_off", "bob{}"
    ),
}


@pytest.mark.parametrize("name", CLASHES)
async def test_of_clashing_bookings_made_at_once_one_books(
    records: SystemOfRecord, name: str
) -> None:
    clash = CLASHES[name]
    activity = getattr(BookingActivities(records), clash.activity)
    for r in range(ROUNDS):
        assert await booked_at_once(activity, clash.bookings(r), clash.refusal) == 1, f"round {r}"
        assert len(records.bookings(clash.kind, clash.subject.format(r))) == 1


async def test_the_last_units_are_reserved_once_when_orders_reserve_at_once(
    records: SystemOfRecord,
) -> None:
    records.add_product("LAMP-1", "Desk lamp", Decimal("30"), Decimal("1.2"), on_hand=5)
    reserve = OrderActivities(records).reserve_stock
    orders = [
        ReserveInput(
            key=f"order-{i}:reserve", step="reserve", order_id=f"order-{i}", sku="LAMP-1", qty=2
        )
        for i in range(AT_ONCE)
    ]
    assert await booked_at_once(reserve, orders, errors.STOCK_SHORT) == 2  # 5: two orders of 2
    assert records.stock("LAMP-1") == (5, 4)
