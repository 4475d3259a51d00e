"""Helpers for the tests on the cluster: environments for the worker services and the
commands, and the `temporal` CLI with the cluster's profile."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.helpers.cli import Ran, cli_env, run_temporal_cli
from valuechain.cluster.topology import Cluster
from valuechain.records.store import SystemOfRecord


def envs(
    cluster: Cluster, task_queue: str, records: SystemOfRecord, state: Path, **extra: str
) -> tuple[dict[str, str], dict[str, str]]:
    """The workers' and the commands' environment: the test's queue and database, each
    kind of client with its own certificate (its profile in the cluster's temporal.toml)."""
    base = cli_env(
        cluster.ports.address, task_queue, records.url, VALUECHAIN_STATE_DIR=str(state),
        VALUECHAIN_PRODUCTION_LEAD_SECONDS="2",  # ovens run short: production, on a timer
        notifications_queue=f"{task_queue}-notices",
    )  # fmt: skip
    base.update(extra)
    base["VALUECHAIN_ORDERS_QUEUE"] = f"{task_queue}-orders"  # each worker service its own
    del base["TEMPORAL_ADDRESS"]  # the profile says where
    return {**base, **cluster.client_env("workers")}, {**base, **cluster.client_env("commands")}


async def temporal_cli(cluster: Cluster, *args: str) -> Ran:
    """The `temporal` CLI with its own profile of the cluster (its own certificate)."""
    profile = ["--config-file", str(cluster.profile_file), "--profile", "cluster-cli"]
    return await run_temporal_cli(*args, *profile)


def open_folder() -> Path:
    """A folder for a cluster, open to the postgres user who runs its database from it
    (pytest's tmp_path and mkdtemp's folders are closed to other users)."""
    root = Path(tempfile.mkdtemp(prefix="valuechain-cluster-"))
    root.chmod(0o755)
    return root
