"""On the cluster with a payload key file: an expense through the worker services and the
commands, then every row of Temporal's databases that belongs to the run (its history,
its mutable state, its visibility record), read straight from PostgreSQL, holds none of
its names, description, account or comments. Its amount is there only as the
`ValuechainAmount` search attribute's value (a Double), in the clear on purpose (filters
such as `ValuechainAmount > 5000`; nothing personal). The same rows do hold the run's task queue,
which is plain metadata, so the scan reads what it should."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.helpers import open_task
from tests.helpers.cli import run_cli, running_workers
from tests.helpers.cluster import envs
from valuechain.client import connect
from valuechain.cluster.topology import Cluster
from valuechain.codec import add_payload_key
from valuechain.records.store import SystemOfRecord

pytestmark = pytest.mark.cluster

TEMPORAL_DATABASES = ("temporal", "temporal_visibility")


Row = dict[str, bytes]  # a row's values as bytes, by column


def rows_of_run(url: str, marks: list[bytes]) -> dict[str, list[Row]]:
    """Every row of every table in the database at `url` that carries one of `marks`
    (the run's id, as text or as bytes), by table."""
    found: dict[str, list[Row]] = {}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                for values in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                    row = {
                        column: bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode()
                        for column, v in values.items()
                    }
                    if any(mark in value for mark in marks for value in row.values()):
                        found.setdefault(table, []).append(row)
    finally:
        engine.dispose()
    return found


def as_search_attribute(column: str, value: bytes, at: int) -> bool:
    """Whether what is found at `at` is a Double search attribute: a visibility column of
    its own, or a payload whose metadata gives its type just before it."""
    return column.lower().startswith("double") or b"Double" in value[max(0, at - 60) : at]


async def test_the_database_holds_only_ciphertext(
    cluster: Cluster, records: SystemOfRecord, task_queue: str, tmp_path: Path
) -> None:
    keys_file = tmp_path / "payload-keys.toml"
    add_payload_key(keys_file, "k1")
    worker_env, command_env = envs(
        cluster, task_queue, records, tmp_path, VALUECHAIN_PAYLOAD_KEYS=str(keys_file)
    )
    workflow_id = f"{task_queue}-expense"
    secrets = ["alice", "maria", "fiona", "Pemberton dinner", "ACC-9931", "receipts look fine"]
    async with running_workers(["approvals", "notifications"], worker_env, tmp_path):
        started = await run_cli(
            "start", "expense", "--employee", "alice", "--amount", "4217.33",
            "--category", "meals", "--description", "Pemberton dinner", "--receipts",
            "dinner.pdf", "--payee-account", "ACC-9931", "--workflow-id", workflow_id,
            env=command_env,
        )  # fmt: skip
        assert started.code == 0, started.err
        sealed = await connect(cluster.client_settings("commands", **command_env))
        handle = sealed.get_workflow_handle(workflow_id)
        for step, person in (("manager_review", "maria"), ("finance_approval", "fiona")):
            task = await open_task(handle, step)
            decided = await run_cli(
                "tasks", "decide", workflow_id, task.task_id, "approve", "--as", person,
                "--comment", "receipts look fine", env=command_env,
            )  # fmt: skip
            assert decided.code == 0, decided.err
        result = await handle.result()
        run_id = (await handle.describe()).run_id
    assert result["status"] == "paid"

    marks = [workflow_id.encode(), run_id.encode(), uuid.UUID(run_id).bytes]
    tables: dict[str, list[Row]] = {}
    for database in TEMPORAL_DATABASES:
        url = cluster.postgres.url(database)
        tables.update(await asyncio.to_thread(rows_of_run, url, marks))
    # The run's history, its state and its visibility record were all read.
    assert {"history_node", "executions", "executions_visibility"} <= set(tables), tables.keys()
    history = b"".join(row["data"] for row in tables["history_node"])
    assert task_queue.encode() in history  # plain metadata: the scan sees into the rows
    for table, rows in tables.items():
        for row in rows:
            for column, value in row.items():
                for secret in secrets:
                    assert secret.encode() not in value, f"{secret!r} in {table}.{column}"
                for at in occurrences(value, b"4217.33"):
                    assert as_search_attribute(column, value, at), f"amount in {table}.{column}"


def occurrences(row: bytes, value: bytes) -> list[int]:
    at, found = row.find(value), []
    while at >= 0:
        found.append(at)
        at = row.find(value, at + 1)
    return found
