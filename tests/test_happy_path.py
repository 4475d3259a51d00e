"""Each sequential workflow from request to booking, every step recorded; no person's name
in any search attribute it set (they are stored and shown in the clear)."""

from __future__ import annotations

import pytest

from tests.helpers import App, decide, new_id
from tests.helpers.cases import CASES, Case, start_case
from tests.helpers.history import record_history, search_attribute_values
from valuechain import search
from valuechain.runcontext import load_roster


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_happy_path(app: App, case: Case) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    workflow_id = new_id(case.name)
    async with app.worker():
        handle = await start_case(env.client, case, task_queue, workflow_id=workflow_id)
        for step in case.happy_path:
            out = await decide(handle, step.step, step.actor, step.decision, **step.fields)
            assert (out.step, out.actor, out.decision) == (step.step, step.actor, step.decision)
        result = await handle.result()
        published = await search_attribute_values(handle)
        shown = (await handle.describe()).typed_search_attributes

    assert result.status == case.success_status
    assert published["ValuechainStage"]  # what it published is read here
    # Its last change, made as the run returns, is published before it completes.
    assert shown.get(search.STAGE) == result.status
    names = set(load_roster().people)
    for attribute, values in published.items():
        assert not values & names, f"{attribute} holds a name: {values & names}"
        assert not any(case.requester in v for v in values), f"{attribute}: {values}"
    human = [s for s in result.steps if s.performer == "human"]
    assert [(s.step, s.actor, s.decision) for s in human] == [
        (s.step, s.actor, s.decision) for s in case.happy_path
    ]
    for record in human:
        assert record.closed_at >= record.opened_at
        assert record.waited_seconds == (record.closed_at - record.opened_at).total_seconds()
        assert record.escalated_to is None
    system = [s for s in result.steps if s.performer == "system"]
    assert [s.step for s in system] == [case.booking_step]

    booking = store.bookings()
    assert [b.key for b in booking] == [f"{workflow_id}:{case.booking_step}"]
    assert getattr(result, case.reference_field) == booking[0].reference

    notices = store.outbox(workflow_id=workflow_id)
    kinds = [n.kind for n in notices]
    assert kinds.count("assigned") == len(case.happy_path)
    assert kinds[-1] == "outcome"
    assert notices[-1].recipient == case.requester

    await record_history(handle, case.name)
