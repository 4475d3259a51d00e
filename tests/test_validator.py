"""The decision validator refuses bad decisions without writing history, and the run
goes on as if nothing happened."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio import activity

from tests.helpers import App, open_task
from tests.helpers.cases import CASES, Case, start_case
from tests.helpers.keys import signed
from tests.helpers.refusals import refused_decision
from valuechain.models.human import DecisionInput
from workflows.human import HumanWorkflow


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

        msg = await refused_decision(handle, attempt(task_id="no_such_step-1"))
        assert "unknown task 'no_such_step-1'" in msg
        assert task.task_id in msg

        msg = await refused_decision(handle, attempt(decision="maybe"))
        assert "'maybe' is not allowed" in msg
        assert "approve" in msg

        msg = await refused_decision(handle, attempt(actor="hana"))  # HR, not this step's role
        assert "'hana' may not decide" in msg
        assert task.role in msg

        msg = await refused_decision(handle, attempt(actor="nobody"))
        assert "'nobody' is not in the roster" in msg

        msg = await refused_decision(handle, attempt(decision="reject"))  # no comment given
        assert "needs comment" in msg

        msg = await refused_decision(handle, attempt(actor=case.requester))
        assert case.requester in msg

        # The refusals changed nothing: the right person decides and the run goes on.
        await handle.execute_update(HumanWorkflow.decide, signed(handle.id, attempt()))
        msg = await refused_decision(handle, attempt(), held_activity=case.booking_activity)
        assert "already decided" in msg
        assert first.actor in msg
        await handle.terminate("test done")


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_requester_may_not_decide_own_request(app: App, case: Case) -> None:
    env, task_queue = app.env, app.task_queue
    async with app.worker():
        handle = await start_case(env.client, case, task_queue, requester=case.self_approver)
        task = await open_task(handle, case.first_step)
        msg = await refused_decision(
            handle,
            DecisionInput(task_id=task.task_id, actor=case.self_approver, decision="approve"),
        )
        assert "four-eyes" in msg
        await handle.terminate("test done")
