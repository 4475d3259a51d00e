"""`make run MODE=auto`'s examples, launched through the starters and driven to the end
by the same code that acts as the people there."""

from __future__ import annotations

from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from activities.store import SystemOfRecord
from starters.demo import act_as_people
from starters.run import SUCCESS, launch_examples
from tests.helpers import worker
from tests.helpers.cli import cli_env
from valuechain.runcontext import load_roster
from valuechain.settings import Settings


async def test_examples_run_to_completion(
    env: WorkflowEnvironment, store: SystemOfRecord, task_queue: str, tmp_path: Path
) -> None:
    address = env.client.service_client.config.target_host
    settings = Settings(
        temporal_address=address,
        approvals_queue=task_queue,
        notifications_queue=task_queue,
        orders_queue=task_queue,
        state_dir=tmp_path,
        database_url=store.url,
    )
    said: list[str] = []
    async with worker(env.client, task_queue, store):
        ids = await launch_examples(settings, cli_env(address, task_queue, store.url))
        results = await act_as_people(env.client, [task_queue], ids, load_roster(), said.append)

    assert sorted(ids) == [
        "demo-blog-1", "demo-document-1", "demo-expense-1", "demo-onboarding-1",
        "demo-order-1", "demo-timeoff-1",
    ]  # fmt: skip
    statuses = {workflow_id: result["status"] for workflow_id, result in results.items()}
    assert set(statuses.values()) <= SUCCESS
    assert len(statuses) == 6
    assert statuses["demo-order-1"] == "paid"
    assert statuses["demo-onboarding-1"] == "onboarded"
    assert any("paul decided schedule on demo-blog-1" in line for line in said)
    assert any("nina decided completed on demo-onboarding-1-training" in line for line in said)
    kinds = {b.kind for b in store.bookings()}
    assert {
        "payout",
        "archive",
        "publication",
        "time_off",
        "shipment",
        "payment",
        "accounts",
        "course_enrollment",
    } <= kinds
