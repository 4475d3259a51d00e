"""One dev server for the session, started from the project's own `temporal` binary;
each test gets a fresh task queue, workflow ids and a worker of its own."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser
from temporalio.testing import WorkflowEnvironment

from tests.helpers import App
from tests.helpers.browser import launched_chromium
from tests.helpers.cli import free_port
from valuechain import search
from valuechain.cluster.binaries import find_temporal_cli
from valuechain.converter import DATA_CONVERTER
from valuechain.records.migrate import open_store
from valuechain.records.store import SystemOfRecord


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    path = find_temporal_cli()
    environment = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(path) if path else None,
        data_converter=DATA_CONVERTER,
        search_attributes=search.ALL,
        dev_server_startup_timeout=timedelta(seconds=120),
    )
    yield environment
    await environment.shutdown()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def ui_env() -> AsyncIterator[tuple[WorkflowEnvironment, int]]:
    """A dev server of its own, with the Web UI on a free port."""
    path = find_temporal_cli()
    ui_port = free_port()
    environment = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(path) if path else None,
        data_converter=DATA_CONVERTER,
        search_attributes=search.ALL,
        ui=True,
        ui_port=ui_port,
        dev_server_startup_timeout=timedelta(seconds=120),
    )
    yield environment, ui_port
    await environment.shutdown()


@pytest_asyncio.fixture(loop_scope="session")
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium under Playwright, headless, for the test alone."""
    async with launched_chromium() as browser:
        yield browser


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A system-of-record file at the newest schema, migrated once for the session."""
    path = tmp_path_factory.mktemp("records") / "template.db"
    open_store(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def store(tmp_path: Path, migrated: Path) -> Iterator[SystemOfRecord]:
    """A fresh system of record per test, so bookings of one test never meet another's:
    a copy of the migrated file (its own migrations are idempotent: nothing to do)."""
    path = tmp_path / "records.db"
    shutil.copy(migrated, path)
    sor = open_store(f"sqlite:///{path}")
    yield sor
    sor.close()


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4().hex}"


@pytest.fixture
def app(env: WorkflowEnvironment, store: SystemOfRecord, task_queue: str) -> App:
    return App(env, store, task_queue)
