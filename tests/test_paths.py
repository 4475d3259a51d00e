"""The business paths besides the happy one: send-back, rejection, withdrawal, revision
rounds and their caps, and publication at the scheduled time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle

from tests.helpers import App, decide, open_task, run_context, wait_for_state
from tests.helpers.cases import CASES, Case
from tests.helpers.history import record_history
from workflows.human import HumanWorkflow

CASE = {c.name: c for c in CASES}


async def start(app: App, case: Case, **request: Any) -> WorkflowHandle[Any, Any]:
    inp = case.make_input(run_context(app.task_queue), case.requester)
    if request:
        inp = inp.model_copy(update={"request": inp.request.model_copy(update=request)})  # type: ignore[attr-defined]
    return await app.start(case.run, inp, case.name)


def trail(result: Any) -> list[tuple[str, str, str]]:
    return [(s.step, s.actor, s.decision) for s in result.steps]


async def test_expense_send_back_then_finance_rejects(app: App) -> None:
    store = app.store
    async with app.worker():
        h = await start(app, CASE["expense"])
        await decide(h, "manager_review", "maria", "send_back", comment="add the hotel receipt")
        task = await open_task(h, "employee_revision")
        assert task.assignee == "alice"
        assert "add the hotel receipt" in task.summary
        # The state query: which step, waiting on whom, since when, decided so far.
        state = await h.query(HumanWorkflow.state)
        assert (state.status, state.current_step, state.requester) == (
            "waiting",
            "employee_revision",
            "alice",
        )
        assert [(t.task_id, t.assignee) for t in state.open_tasks] == [
            ("employee_revision-1", "alice")
        ]
        assert state.open_tasks[0].opened_at >= state.steps[0].closed_at
        assert trail(state) == [("manager_review", "maria", "send_back")]
        assert state.steps[0].comment == "add the hotel receipt"
        memo = await (await h.describe()).memo_value("summary")
        assert memo == (
            "expense 125.50 USD (travel) for alice; stage employee_revision; waiting on employee"
        )
        await decide(h, "employee_revision", "alice", "resubmit", attachments=["hotel.pdf"])
        await decide(h, "manager_review", "maria", "approve")
        await decide(h, "finance_approval", "fiona", "reject", comment="over the travel policy")
        result = await h.result()
        await record_history(h, "expense-sendback")
    assert result.status == "rejected"
    assert result.payout_reference is None
    assert trail(result) == [
        ("manager_review", "maria", "send_back"),
        ("employee_revision", "alice", "resubmit"),
        ("manager_review", "maria", "approve"),
        ("finance_approval", "fiona", "reject"),
    ]
    assert [s.task_id for s in result.steps][:3] == [
        "manager_review-1",
        "employee_revision-1",
        "manager_review-2",
    ]
    assert store.bookings() == []
    assert "over the travel policy" in store.outbox(recipient="alice")[-1].message


async def test_expense_rejected_by_manager_and_withdrawn(app: App) -> None:
    store = app.store
    async with app.worker():
        rejected = await start(app, CASE["expense"])
        await decide(rejected, "manager_review", "maria", "reject", comment="personal expense")
        withdrawn = await start(app, CASE["expense"])
        await decide(withdrawn, "manager_review", "maria", "send_back", comment="which client?")
        await decide(withdrawn, "employee_revision", "alice", "withdraw")
        assert (await rejected.result()).status == "rejected"
        assert (await withdrawn.result()).status == "withdrawn"
    assert store.bookings() == []


async def test_expense_send_backs_are_capped(app: App) -> None:
    async with app.worker():
        h = await start(app, CASE["expense"], max_send_backs=1)
        assert "send_back" in (await open_task(h, "manager_review")).decisions
        await decide(h, "manager_review", "maria", "send_back", comment="which client?")
        await decide(h, "employee_revision", "alice", "resubmit")
        second = await wait_for_state(
            h, lambda s: any(t.task_id == "manager_review-2" for t in s.open_tasks), "round 2"
        )
        assert second.open_tasks[0].decisions == ["approve", "reject"]
        await h.terminate("test done")


async def test_document_revision_rounds_then_archive(app: App) -> None:
    store = app.store
    async with app.worker():
        h = await start(app, CASE["document"], max_revisions=1, reviewer="rita")
        review = await open_task(h, "review")
        assert review.assignee == "rita"
        await decide(h, "review", "rita", "request_changes", comment="cite the regulation")
        await decide(h, "author_revision", "alice", "resubmit", attachments=["docs/v2.pdf"])
        # One revision allowed: the second review must approve or reject.
        assert (await open_task(h, "review")).decisions == ["approve", "reject"]
        await decide(h, "review", "rita", "approve")
        result = await h.result()
        await record_history(h, "document-revision")
    assert result.status == "approved"
    assert (result.version, result.location) == (2, "docs/v2.pdf")
    [archived] = store.bookings(kind="archive")
    assert archived.payload["version"] == 2
    assert archived.reference == result.archive_reference
    told = {n.recipient for n in store.outbox(workflow_id=h.id) if n.kind == "info"}
    assert told == {"maria", "hana"}


async def test_blog_send_back_then_rejected(app: App) -> None:
    store = app.store
    async with app.worker():
        h = await start(app, CASE["blog"])
        await decide(h, "editor_review", "eddie", "send_back", comment="shorter intro")
        await decide(h, "writer_revision", "ben", "resubmit")
        await decide(h, "editor_review", "eddie", "reject", comment="still too long")
        result = await h.result()
        await record_history(h, "blog-sendback")
    assert result.status == "rejected"
    assert [s.decision for s in result.steps] == ["send_back", "resubmit", "reject"]
    assert store.bookings() == []


async def test_blog_publishes_at_the_scheduled_time(app: App) -> None:
    store = app.store
    async with app.worker():
        h = await start(app, CASE["blog"])
        await decide(h, "editor_review", "eddie", "approve")
        await decide(h, "add_images", "dina", "done", attachments=["hero.png", "chart.png"])
        task = await open_task(h, "schedule")
        publish_at = task.opened_at + timedelta(seconds=5)
        await decide(h, "schedule", "paul", "schedule", scheduled_for=publish_at)
        waiting = await wait_for_state(
            h, lambda s: not s.open_tasks and s.steps[-1].step == "schedule", "the timer"
        )
        assert waiting.status == "running"
        assert store.bookings() == [], "published before its time"
        result = await h.result()
    assert result.status == "published"
    assert result.scheduled_for == publish_at
    assert result.published_at is not None
    assert result.published_at >= publish_at
    assert result.images == ["hero.png", "chart.png"]
    [published] = store.bookings(kind="publication")
    assert published.created_at >= publish_at


@pytest.mark.parametrize(
    ("case_name", "step", "fields", "message"),
    [
        ("blog", "schedule", {}, "needs scheduled_for"),
        ("document", "author_revision", {}, "needs attachments"),
    ],
)
async def test_steps_refuse_decisions_missing_their_data(
    app: App, case_name: str, step: str, fields: dict[str, Any], message: str
) -> None:
    from temporalio.client import WorkflowUpdateFailedError

    case = CASE[case_name]
    async with app.worker():
        h = await start(app, case)
        if case_name == "blog":
            await decide(h, "editor_review", "eddie", "approve")
            await decide(h, "add_images", "dina", "done", attachments=["hero.png"])
            actor, decision = "paul", "schedule"
        else:
            await decide(h, "review", "rita", "request_changes", comment="more detail")
            actor, decision = "alice", "resubmit"
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await decide(h, step, actor, decision, **fields)
        assert message in str(caught.value.cause)
        await h.terminate("test done")


@pytest.mark.parametrize("case", CASES, ids=str)
async def test_rejected_at_the_first_step_books_nothing(app: App, case: Case) -> None:
    """A rejection ends the run at once: rejected, no reference, nothing booked, the
    requester told by whom and why; the result still says what the request was for."""
    store, first = app.store, case.happy_path[0]
    async with app.worker():
        h = await start(app, case)
        await decide(h, first.step, first.actor, "reject", comment="out of scope")
        result = await h.result()
    assert (result.status, getattr(result, case.reference_field)) == ("rejected", None)
    assert trail(result) == [(first.step, first.actor, "reject")]
    assert {name: getattr(result, name) for name in case.rejected_keeps} == case.rejected_keeps
    assert store.bookings() == []
    [told] = [n for n in store.outbox(workflow_id=h.id) if n.kind == "outcome"]
    assert told.recipient == case.requester
    assert told.message == f"rejected by {first.actor}: out of scope"
