"""Automated steps: transient failures retry, domain errors fail the run clearly, and a
booking retried after it was written is not written twice."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.bookings import BookingActivities
from tests.helpers import App, new_id, run_context, stand_in
from tests.helpers.cases import CASES, Case, start_case, walk_happy_path
from valuechain.models.records import BookingOutput
from valuechain.records.store import SystemOfRecord


async def drive(env: WorkflowEnvironment, case: Case, task_queue: str, workflow_id: str) -> Any:
    handle = await start_case(env.client, case, task_queue, workflow_id=workflow_id)
    await walk_happy_path(handle, case)
    return handle


def real_booking(store: SystemOfRecord, case: Case) -> Any:
    return getattr(BookingActivities(store), case.booking_activity)


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_transient_failure_is_retried_to_success(app: App, case: Case) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    attempts: list[int] = []
    real = real_booking(store, case)

    async def flaky(arg: Any) -> BookingOutput:
        attempts.append(activity.info().attempt)
        if activity.info().attempt < 3:
            raise ConnectionError("system of record unreachable")
        return await asyncio.to_thread(real, arg)

    replace = {case.booking_activity: stand_in(case.booking_activity, real, flaky)}
    async with app.worker(replace):
        handle = await drive(env, case, task_queue, new_id(case.name))
        result = await handle.result()

    assert attempts == [1, 2, 3]
    assert result.status == case.success_status
    assert len(store.bookings()) == 1


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_domain_error_fails_the_run_clearly(app: App, case: Case) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    workflow_id = new_id(case.name)
    inp = case.make_input(run_context(task_queue), case.requester)
    case.arrange_permanent_failure(store, workflow_id, inp)
    before = {b.key for b in store.bookings()}
    attempts: list[int] = []
    real = real_booking(store, case)

    async def counted(arg: Any) -> BookingOutput:
        attempts.append(activity.info().attempt)
        return await asyncio.to_thread(real, arg)

    replace = {case.booking_activity: stand_in(case.booking_activity, real, counted)}
    async with app.worker(replace):
        handle = await env.client.start_workflow(
            case.run, inp, id=workflow_id, task_queue=task_queue
        )
        await walk_happy_path(handle, case)
        with pytest.raises(WorkflowFailureError) as caught:
            await handle.result()

    cause = caught.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == case.permanent_error
    assert cause.message.startswith(f"{case.booking_step} failed for ")
    assert attempts == [1], "a domain error must not be retried"
    assert {b.key for b in store.bookings()} == before, "nothing new was booked"
    outcome = store.outbox(workflow_id=workflow_id)[-1]
    assert outcome.kind == "outcome"
    assert outcome.recipient == case.requester
    assert case.booking_step in outcome.message


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_retry_after_write_books_once(app: App, case: Case) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    real = real_booking(store, case)
    outputs: list[BookingOutput] = []

    async def lost_reply(arg: Any) -> BookingOutput:
        out: BookingOutput = await asyncio.to_thread(real, arg)
        outputs.append(out)
        if activity.info().attempt == 1:
            # Written, but the worker dies before it can report: Temporal retries.
            raise ConnectionError("worker lost before completing")
        return out

    workflow_id = new_id(case.name)
    replace = {case.booking_activity: stand_in(case.booking_activity, real, lost_reply)}
    async with app.worker(replace):
        handle = await drive(env, case, task_queue, workflow_id)
        result = await handle.result()

    assert [o.duplicate for o in outputs] == [False, True]
    booked = store.bookings()
    assert [b.key for b in booked] == [f"{workflow_id}:{case.booking_step}"]
    assert getattr(result, case.reference_field) == booked[0].reference
