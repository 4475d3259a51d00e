"""One cluster for the session (`make test-cluster`): PostgreSQL, the Temporal services
as separate processes with mutual TLS, the Web UI server, on free ports under a folder of
its own. Each test gets a fresh task queue and a system-of-record database of its own."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.client import Client

from activities.seed import seed_demo_data
from tests.helpers.cluster import open_folder
from tests.helpers.needs import need_postgres
from valuechain.client import connect
from valuechain.cluster.ports import Ports
from valuechain.cluster.topology import Cluster
from valuechain.records.migrate import open_store
from valuechain.records.store import SystemOfRecord

ARTIFACTS = Path(__file__).parents[1] / "artifacts"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def cluster() -> AsyncIterator[Cluster]:
    need_postgres()
    root = open_folder()
    started = Cluster(root, Ports.free(), shards=16, fsync=False)
    try:
        await started.start()
        yield started
    finally:
        await started.stop()
        # The services' logs outlive the run, for whoever reads a failure.
        kept = ARTIFACTS / "cluster-logs"
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(root / "logs", kept, dirs_exist_ok=True)
        shutil.copy(started.postgres.log_file, kept / "postgres.log")
        shutil.rmtree(root, ignore_errors=True)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def client(cluster: Cluster) -> Client:
    """A client with the commands' certificate, as the starters connect."""
    return await connect(cluster.client_settings("commands"))


@pytest.fixture
def records(cluster: Cluster) -> Iterator[SystemOfRecord]:
    """A system-of-record database of the test's own on the cluster's PostgreSQL, seeded
    with the demo products and customers."""
    name = f"records_{uuid.uuid4().hex[:12]}"
    cluster.postgres.create_database(name)
    store = open_store(cluster.postgres.url(name))
    seed_demo_data(store)
    yield store
    store.close()
