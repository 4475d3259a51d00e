"""The `temporal` CLI is a first-class client: list, describe, query and decide a
workflow with it, exactly as the README shows; a decision it sends is accepted only when
signed, so reaching Temporal is not enough to decide as someone."""

from __future__ import annotations

import json

from tests.helpers import App, history_length, listed, open_task
from tests.helpers.cases import CASES, start_case
from tests.helpers.cli import run_temporal_cli
from tests.helpers.keys import signed
from valuechain.models.human import DecisionInput


async def temporal(*args: str) -> str:
    ran = await run_temporal_cli(*args)
    assert ran.code == 0, ran.err
    return ran.out


async def test_list_describe_query_and_decide_with_the_temporal_cli(app: App) -> None:
    env, task_queue = app.env, app.task_queue
    address = ["--address", env.client.service_client.config.target_host]
    case = CASES[3]  # time off: one decision away from done
    async with app.worker():
        handle = await start_case(env.client, case, task_queue)
        task = await open_task(handle, case.first_step)
        await listed(env.client, f'WorkflowId="{handle.id}" AND ValuechainWaitingRole="manager"')

        query = 'WorkflowType="TimeOffRequest" AND ValuechainWaitingRole="manager"'
        rows = [
            json.loads(line)
            for line in (
                await temporal("workflow", "list", *address, "--query", query, "-o", "jsonl")
            ).splitlines()
        ]
        assert handle.id in [row["execution"]["workflowId"] for row in rows]

        described = json.loads(
            await temporal(
                "workflow", "describe", *address, "--workflow-id", handle.id, "-o", "json"
            )
        )
        assert described["workflowExecutionInfo"]["status"] == "WORKFLOW_EXECUTION_STATUS_RUNNING"

        state = json.loads(
            await temporal(
                "workflow",
                "query",
                *address,
                "--workflow-id",
                handle.id,
                "--type",
                "state",
                "-o",
                "json",
            )
        )
        assert state["queryResult"][0]["open_tasks"][0]["task_id"] == task.task_id

        def update(decision: DecisionInput) -> list[str]:
            payload = decision.model_dump_json(exclude_none=True)
            return ["workflow", "update", "execute", *address, "--workflow-id", handle.id,
                    "--name", "decide", "--input", payload]  # fmt: skip

        # Anyone who reaches Temporal can send this; the run refuses it, writing nothing.
        claim = DecisionInput(task_id=task.task_id, actor="maria", decision="approve")
        before = await history_length(handle)
        forged = await run_temporal_cli(*update(claim))
        assert forged.code != 0
        assert "unsigned decision" in forged.err + forged.out
        assert await history_length(handle) == before

        await temporal(*update(signed(handle.id, claim)))  # as the task list sends it
        result = await handle.result()
    assert result.status == case.success_status
    assert result.steps[0].actor == "maria"
    assert result.steps[0].signed_by == "tasklist:tasklist"
