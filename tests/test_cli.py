"""Starters and the people command, run as subprocesses against the test server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from activities.store import SystemOfRecord
from tests.helpers import new_id, open_task, worker
from tests.helpers.cli import Ran, cli_env, run_module
from workflows.expense import ExpenseReimbursement
from workflows.human import HumanWorkflow

GOOD_EXPENSE = [
    "--employee", "alice", "--amount", "42.10", "--category", "meals",
    "--description", "Team lunch", "--receipt", "lunch.pdf", "--payee-account", "ACC-1",
]  # fmt: skip


def address(env: WorkflowEnvironment) -> str:
    return env.client.service_client.config.target_host


async def assert_not_started(env: WorkflowEnvironment, workflow_id: str) -> None:
    with pytest.raises(RPCError) as caught:
        await env.client.get_workflow_handle(workflow_id).describe()
    assert caught.value.status == RPCStatusCode.NOT_FOUND


async def assert_refused(
    env: WorkflowEnvironment, ran_with: dict[str, str], module: str, args: list[str], message: str
) -> None:
    """The command exits 2 naming the problem, and the workflow it names does not exist."""
    workflow_id = new_id("bad")
    ran = await run_module(module, *args, "--workflow-id", workflow_id, env=ran_with)
    assert ran.code == 2, ran
    assert message in ran.err
    await assert_not_started(env, workflow_id)


def bad_file(tmp_path: Path, content: str) -> str:
    path = tmp_path / "request.json"
    path.write_text(content)
    return str(path)


@pytest.mark.parametrize(
    ("module", "args", "message"),
    [
        ("starters.expense", [*GOOD_EXPENSE, "--amount", "-5"], "amount: Input should be greater"),
        ("starters.expense", [*GOOD_EXPENSE, "--amount", "ten"], "amount: Input should be a valid"),
        ("starters.expense", [*GOOD_EXPENSE, "--category", "golf"], "category: Input should be"),
        ("starters.expense", GOOD_EXPENSE[2:], "employee: Field required"),
        ("starters.expense", [*GOOD_EXPENSE, "--currency", "usd"], "currency: String should"),
        (
            "starters.document",
            ["--author", "alice", "--location", "x.pdf"],
            "title: Field required",
        ),
        (
            "starters.blog",
            ["--title", "T", "--slug", "Not A Slug", "--writer", "ben", "--draft", "d.md"],
            "slug: String should match pattern",
        ),
        (
            "starters.timeoff",
            ["--employee", "alice", "--from", "2026-12-10", "--to", "2026-12-01"],
            "last_day is before first_day",
        ),
        (
            "starters.timeoff",
            ["--employee", "alice", "--from", "2026-13-01", "--to", "2026-12-01"],
            "first_day: Input should be a valid date",
        ),
    ],
)
async def test_starter_refuses_bad_input(
    env: WorkflowEnvironment,
    store: SystemOfRecord,
    task_queue: str,
    module: str,
    args: list[str],
    message: str,
) -> None:
    cli = cli_env(address(env), task_queue, store.url)
    await assert_refused(env, cli, module, args, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"employee": "alice", "bonus": 1}', "bonus: Extra inputs are not permitted"),
    ],
)
async def test_starter_refuses_bad_input_file(
    env: WorkflowEnvironment,
    store: SystemOfRecord,
    task_queue: str,
    tmp_path: Path,
    content: str,
    message: str,
) -> None:
    cli = cli_env(address(env), task_queue, store.url)
    await assert_refused(
        env, cli, "starters.expense", ["--input", bad_file(tmp_path, content)], message
    )


async def test_starter_refuses_bad_setting(
    env: WorkflowEnvironment, store: SystemOfRecord, task_queue: str
) -> None:
    cli = cli_env(address(env), task_queue, store.url, VALUECHAIN_HUMAN_DUE_SECONDS="soon")
    message = "VALUECHAIN_HUMAN_DUE_SECONDS='soon' is not a number"
    await assert_refused(env, cli, "starters.expense", GOOD_EXPENSE, message)


async def test_start_list_and_decide_from_the_command_line(
    env: WorkflowEnvironment, store: SystemOfRecord, task_queue: str, tmp_path: Path
) -> None:
    request = {
        "employee": "ben",
        "amount": "310.00",
        "category": "lodging",
        "description": "Hotel, two nights",
        "receipts": ["hotel.pdf"],
        "payee_account": "ACC-2",
    }
    file = tmp_path / "expense.json"
    file.write_text(json.dumps(request))
    workflow_id = new_id("expense")
    cli = cli_env(address(env), task_queue, store.url)

    async def people(*args: str) -> Ran:
        return await run_module("starters.people", *args, env=cli)

    async with worker(env.client, task_queue, store):
        started = await run_module(
            "starters.expense", "--input", str(file), "--amount", "300.00",
            "--workflow-id", workflow_id, env=cli,
        )  # fmt: skip
        assert started.code == 0, started
        assert f"started {workflow_id}" in started.out

        handle = env.client.get_workflow_handle_for(ExpenseReimbursement.run, workflow_id)
        task = await open_task(handle, "manager_review")
        state = await handle.query(HumanWorkflow.state)
        assert "expense 300.00 USD (lodging) for ben" in state.subject

        again = await run_module("starters.expense", "--input", str(file),
                                 "--workflow-id", workflow_id, env=cli)  # fmt: skip
        assert again.code == 1
        assert "already exists" in again.err

        listed = await people("list", "--role", "manager")
        assert listed.code == 0, listed
        assert f"{workflow_id}  {task.task_id}" in listed.out
        assert "no human steps are waiting" in (await people("list", "--role", "hr")).out
        mine = await people("list", "--person", "maria")
        assert task.task_id in mine.out

        refused = await people("decide", workflow_id, task.task_id, "approve", "--as", "hana")
        assert refused.code == 1
        assert "refused: actor 'hana' may not decide" in refused.err

        bad = await people("decide", workflow_id, task.task_id, "approve", "--as", "maria",
                           "--at", "tomorrow")  # fmt: skip
        assert bad.code == 2
        assert "--at 'tomorrow' is not an ISO 8601 time" in bad.err

        ok = await people("decide", workflow_id, task.task_id, "approve", "--as", "maria")
        assert ok.code == 0, ok
        assert f"maria decided approve on {task.task_id}" in ok.out
        finance = await open_task(handle, "finance_approval")
        ok = await people("decide", workflow_id, finance.task_id, "approve", "--as", "fiona")
        assert ok.code == 0, ok
        result = await handle.result()

    assert result.status == "paid"
    outbox = await people("outbox", "--workflow", workflow_id)
    assert outbox.code == 0
    assert "[assigned] to role:manager" in outbox.out
    assert "[outcome] to ben" in outbox.out
