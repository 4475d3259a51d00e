"""The decision validator refuses bad decisions without writing history, and the run
goes on as if nothing happened."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError

from tests.helpers import App, history_length, open_task, until_idle
from tests.helpers.cases import CASES, Case, start_case
from valuechain.models.human import DecisionInput
from workflows.human import HumanWorkflow


async def refused(
    handle: WorkflowHandle[Any, Any], decision: DecisionInput, held_activity: str = ""
) -> str:
    await until_idle(handle, held_activity)
    before = await history_length(handle)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(HumanWorkflow.decide, decision)
    assert await history_length(handle) == before, "a refused decision wrote history"
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    return str(caught.value.cause)


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_bad_decisions_are_refused(app: App, case: Case) -> None:
    env, task_queue = app.env, app.task_queue
    first = case.happy_path[0]

    @activity.defn(name=case.booking_activity)
    async def held_booking(_: Any) -> None:
        # Keeps one-step workflows open after the first decision, so "already decided"
        # meets a running workflow.
        await asyncio.Event().wait()

    replace = {case.booking_activity: held_booking}
    async with app.worker(replace):
        handle = await start_case(env.client, case, task_queue)
        task = await open_task(handle, case.first_step)

        def attempt(**kw: Any) -> DecisionInput:
            fields = {"task_id": task.task_id, "actor": first.actor, "decision": first.decision}
            return DecisionInput(**{**fields, **kw})

        msg = await refused(handle, attempt(task_id="no_such_step-1"))
        assert "unknown task 'no_such_step-1'" in msg
        assert task.task_id in msg

        msg = await refused(handle, attempt(decision="maybe"))
        assert "'maybe' is not allowed" in msg
        assert "approve" in msg

        msg = await refused(handle, attempt(actor="hana"))  # HR, not this step's role
        assert "'hana' may not decide" in msg
        assert task.role in msg

        msg = await refused(handle, attempt(actor="nobody"))
        assert "'nobody' is not in the roster" in msg

        msg = await refused(handle, attempt(decision="reject"))  # no comment given
        assert "needs comment" in msg

        msg = await refused(handle, attempt(actor=case.requester))
        assert case.requester in msg

        # The refusals changed nothing: the right person decides and the run goes on.
        await handle.execute_update(HumanWorkflow.decide, attempt())
        msg = await refused(handle, attempt(), held_activity=case.booking_activity)
        assert "already decided" in msg
        assert first.actor in msg
        await handle.terminate("test done")


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_requester_may_not_decide_own_request(app: App, case: Case) -> None:
    env, task_queue = app.env, app.task_queue
    async with app.worker():
        handle = await start_case(env.client, case, task_queue, requester=case.self_approver)
        task = await open_task(handle, case.first_step)
        msg = await refused(
            handle,
            DecisionInput(task_id=task.task_id, actor=case.self_approver, decision="approve"),
        )
        assert "four-eyes" in msg
        await handle.terminate("test done")
