"""The benchmark's drivers: each scenario's A and B drivers take a workflow to its end
on a real server, and `--scenario` picks scenarios by name."""

from __future__ import annotations

import uuid

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from tests.bench.drivers import Scenario, bench_settings, scenarios, seed_bench_data
from tests.bench.worker import bench_worker
from valuechain.records.store import SystemOfRecord


@pytest.mark.parametrize("scenario", scenarios(quick=True), ids=lambda s: s.name)
@pytest.mark.parametrize("variant", ["A", "B"])
async def test_each_driver_takes_its_workflow_to_the_end(
    env: WorkflowEnvironment, store: SystemOfRecord, scenario: Scenario, variant: str
) -> None:
    task_queue = f"bench-drivers-{uuid.uuid4().hex[:8]}"
    driver = scenario.drivers[variant]
    workflow_id = f"drive-{uuid.uuid4().hex[:10]}"
    seed_bench_data(store)
    async with bench_worker(env.client, task_queue, store, bench_settings()):
        await driver(env.client, task_queue, workflow_id)
    described = await env.client.get_workflow_handle(workflow_id).describe()
    assert described.status == WorkflowExecutionStatus.COMPLETED


def test_a_scenario_is_picked_by_part_of_its_name() -> None:
    every = [s.name for s in scenarios(quick=True)]
    assert [s.name for s in scenarios(quick=True, only=("order",))] == [
        "order-to-cash, events answered at once"
    ]
    assert [s.name for s in scenarios(quick=True, only=("chain", "one-step"))] == [
        every[0],
        every[3],
    ]
    assert scenarios(quick=True, only=("nothing like it",)) == []
