"""Reminders go out on the cadence while a step waits; at the due time the step escalates,
and the escalation target can then decide. Durations are seconds here, hours in use."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.helpers import App, new_id, run_context, until_idle, wait_for_state
from tests.helpers.cases import CASES, Case, start_case, walk_happy_path


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_reminders_then_escalation(app: App, case: Case) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    ctx = run_context(task_queue, due=timedelta(seconds=3), remind=timedelta(seconds=1))
    workflow_id = new_id(case.name)
    async with app.worker():
        handle = await start_case(env.client, case, task_queue, ctx, workflow_id=workflow_id)
        state = await wait_for_state(
            handle,
            lambda s: any(t.escalated_to for t in s.open_tasks),
            "the first step to escalate",
        )
        await until_idle(handle)  # the escalation notice is written
        task = state.open_tasks[0]
        assert task.step == case.first_step
        assert task.reminders_sent >= 2  # at 1 s and 2 s, before the 3 s due time

        notices = store.outbox(workflow_id=workflow_id)
        reminders = [n for n in notices if n.kind == "reminder"]
        assert len(reminders) >= 2
        assert all(task.task_id in n.subject for n in reminders)
        escalation = [n for n in notices if n.kind == "escalation"]
        assert len(escalation) == 1
        assert escalation[0].recipient == f"role:{task.escalated_to}"

        # The escalation target decides in place of the original role.
        await walk_happy_path(handle, case, first_actor=case.escalation_actor)
        result = await handle.result()

    assert result.status == case.success_status
    record = result.steps[0]
    assert record.step == case.first_step
    assert record.escalated_to == task.escalated_to
    assert record.actor == case.escalation_actor
    assert record.reminders_sent >= 2
    assert record.waited_seconds >= 3


async def test_timers_survive_a_worker_restart(app: App) -> None:
    """The step's clocks live in the server: a worker that stops while a step waits, and
    another that starts later, lose nothing; the due time still escalates."""
    env, task_queue = app.env, app.task_queue
    case = CASES[0]
    ctx = run_context(task_queue, due=timedelta(seconds=2), remind=timedelta(hours=1))
    async with app.worker():
        handle = await start_case(env.client, case, task_queue, ctx)
        opened = await wait_for_state(handle, lambda s: bool(s.open_tasks), "the first step")
        assert opened.open_tasks[0].escalated_to is None
    # No worker runs now; the due-time timer is the server's to keep.
    async with app.worker():
        state = await wait_for_state(
            handle, lambda s: any(t.escalated_to for t in s.open_tasks), "the escalation"
        )
        assert state.open_tasks[0].escalated_to == "director"
        await walk_happy_path(handle, case, first_actor=case.escalation_actor)
        result = await handle.result()
    assert result.status == case.success_status
    assert result.steps[0].escalated_to == "director"
