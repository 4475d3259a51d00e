"""Every workflow type and a batch of 50 orders on the cluster, through the real worker
services (two processes each) and the real commands, all over mutual TLS; the `temporal`
CLI filters them by the search attributes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import yaml
from temporalio.client import Client

from starters.run import SUCCESS, launch_examples
from starters.simulation.people import act_as_people
from tests.helpers import eventually
from tests.helpers.cases import SMALL_PURCHASE, as_flags
from tests.helpers.cli import run_cli, running_workers
from tests.helpers.cluster import envs, temporal_cli
from tests.helpers.keys import SIGNERS
from valuechain.cluster import binaries, environments
from valuechain.cluster.topology import Cluster
from valuechain.records.store import SystemOfRecord
from valuechain.runcontext import load_roster
from workers.registry import ALL_WORKFLOWS

pytestmark = pytest.mark.cluster

WORKERS = ["approvals", "orders", "notifications"]
ROOT = Path(__file__).resolve().parents[2]


async def test_every_workflow_type_and_a_batch_of_orders(
    cluster: Cluster, client: Client, records: SystemOfRecord, task_queue: str, tmp_path: Path
) -> None:
    worker_env, command_env = envs(cluster, task_queue, records, tmp_path)
    settings = cluster.client_settings("commands", **command_env)
    said: list[str] = []
    async with running_workers(WORKERS, worker_env, tmp_path, copies=2):
        ids = await launch_examples(settings, command_env, every_type=True)
        results = await act_as_people(
            client, settings.human_queues, ids, load_roster(), SIGNERS, said.append
        )
        batch = await run_cli(
            "orders", "batch", "--count", "50", "--seed", "11", "--prefix",
            f"{task_queue}-b", env=command_env, limit=300,
        )  # fmt: skip
        people = await run_cli("tasks", "list", env=command_env)
        ours = f'TaskQueue="{task_queue}" OR TaskQueue="{task_queue}-orders"'
        report = await run_cli("report", "--hours", "1", "--where", ours, "--json", env=command_env)

    statuses = {workflow_id: result.status for workflow_id, result in results.items()}
    assert len(statuses) == 14, statuses
    assert set(statuses.values()) <= SUCCESS, statuses
    assert batch.code == 0, batch.err
    assert "completed 50, failed 0" in batch.out

    # Every workflow type ran here, and every run on the queue completed.
    types = {getattr(w, "__temporal_workflow_definition").name for w in ALL_WORKFLOWS}

    ours = f"({ours})"

    async def listed_types() -> set[str]:
        query = f'{ours} AND ExecutionStatus="Completed"'
        return {w.workflow_type async for w in client.list_workflows(query)}

    assert await eventually(listed_types, lambda found: found == types, "every type") == types
    running = await client.count_workflows(f'{ours} AND ExecutionStatus!="Completed"')
    assert running.count == 0
    # Exactly once: each order of the batch booked one shipment and one payment.
    batch_order = f"{task_queue}-b"
    paid = [b.payload["order"] for b in records.bookings("payment")]
    assert len([o for o in paid if o.startswith(batch_order)]) == 50
    assert len({o for o in paid if o.startswith(batch_order)}) == 50
    shipped = [b.subject for b in records.bookings("shipment")]
    assert len([o for o in shipped if o.startswith(batch_order)]) == 50

    # The commands reached the cluster with their certificate.
    assert people.code == 0, people.err
    assert report.code == 0, report.err
    read = json.loads(report.out)["workflow_types"]
    every = await client.count_workflows(ours)
    assert sum(t["runs"] for t in read.values()) == every.count


async def test_the_temporal_cli_filters_by_search_attributes_over_mtls(
    cluster: Cluster, client: Client, records: SystemOfRecord, task_queue: str, tmp_path: Path
) -> None:
    worker_env, command_env = envs(cluster, task_queue, records, tmp_path)
    async with running_workers(["orders", "notifications"], worker_env, tmp_path):
        batch = await run_cli(
            "orders", "batch", "--count", "3", "--seed", "5", "--prefix",
            f"{task_queue}-o", env=command_env,
        )  # fmt: skip
    assert batch.code == 0, batch.err
    order = f"{task_queue}-o-00002"
    listed = await temporal_cli(
        cluster, "workflow", "list", "--query", f'OrderId="{order}"', "-o", "jsonl"
    )
    assert listed.code == 0, listed.err
    rows = [json.loads(line) for line in listed.out.splitlines() if line.strip()]
    ids = {r["execution"]["workflowId"] for r in rows}
    assert order in ids  # the order, and its stages
    assert f"{order}-shipping" in ids
    assert all(i.startswith(order) for i in ids)
    counted = await temporal_cli(
        cluster, "workflow", "count", "--query",
        f'WorkflowType="OrderToCash" AND TaskQueue="{task_queue}-orders"'
        ' AND ValuechainStage="paid"',
    )  # fmt: skip
    assert counted.code == 0, counted.err
    assert counted.out.split() == ["Total:", "3"], counted.out


async def test_a_schedule_runs_on_the_cluster(
    cluster: Cluster, client: Client, records: SystemOfRecord, task_queue: str, tmp_path: Path
) -> None:
    """Temporal's scheduler (the cluster's worker service) starts the runs; the worker
    services load each run's context from their own settings; `temporal schedule list`
    shows it over mutual TLS."""
    worker_env, command_env = envs(cluster, task_queue, records, tmp_path)
    schedule_id = f"{task_queue}-every-2s"
    async with running_workers(["approvals", "notifications"], worker_env, tmp_path):
        made = await run_cli(
            "schedule", "create", "purchase", *as_flags(SMALL_PURCHASE), "--every", "2s",
            "--schedule-id", schedule_id, env=command_env,
        )  # fmt: skip
        assert made.code == 0, made.err
        query = f'TemporalScheduledById="{schedule_id}" AND ExecutionStatus="Completed"'

        async def completed() -> list[str]:
            return [w.id async for w in client.list_workflows(query)]

        done = await eventually(completed, lambda ids: len(ids) >= 2, "two scheduled runs")
        listed = await temporal_cli(cluster, "schedule", "list")
        deleted = await run_cli("schedule", "delete", schedule_id, env=command_env)
    assert deleted.code == 0, deleted.err
    assert listed.code == 0, listed.err
    assert schedule_id in listed.out
    for workflow_id in done[:2]:
        result = await client.get_workflow_handle(workflow_id).result()
        assert result["status"] == "approved"


async def test_compose_services_render_the_same_template() -> None:
    """The server renders the repository's template with each compose service's own
    environment: PostgreSQL by its service name, mutual TLS from the shared layout."""
    server = binaries.require(binaries.SERVER)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    temporal = [
        s for s in compose["services"].values() if "SERVICE" in (s.get("environment") or {})
    ]
    assert len(temporal) == 5
    for service in temporal:
        env = {k: str(v) for k, v in service["environment"].items()}
        env["BROADCAST_ADDRESS"] = "10.0.0.7"  # what `hostname -i` gives in the container
        proc = await asyncio.create_subprocess_exec(
            str(server), "--config", str(environments.CONFIG_DIR), "--env",
            environments.CONFIG_ENV, "render-config", env=env, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        rendered = yaml.safe_load(out)
        sql = rendered["persistence"]["datastores"]["default"]["sql"]
        assert sql["connectAddr"] == "postgresql:5432"
        frontend = rendered["global"]["tls"]["frontend"]["server"]
        assert frontend["requireClientAuth"] is True
        assert frontend["certFile"] == "/certs/frontend.pem"
        assert rendered["global"]["membership"]["broadcastAddress"] == "10.0.0.7"
