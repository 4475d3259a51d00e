"""Parallel shapes: the one join rule, sign-off by all / quorum / veto with early
completion, proposal review, and a product launch of child workflows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle

from tests.helpers import App, decide, new_id, run_context, wait_for_state
from tests.helpers.history import record_history
from valuechain.join import JoinPolicy
from valuechain.models.parallel import (
    LaunchInput,
    LaunchRequest,
    LaunchResult,
    ProposalInput,
    ProposalRequest,
    SignOffInput,
    SignOffRequest,
)
from workflows.human import HumanWorkflow
from workflows.launch.process import ProductLaunch
from workflows.proposal import ProposalReview
from workflows.signoff import MultiApproverSignOff

ALL = JoinPolicy()
QUORUM_2 = JoinPolicy(mode="quorum", quorum=2)
QUORUM_3_VETO = JoinPolicy(mode="quorum", quorum=3, veto=True)


@pytest.mark.parametrize(
    ("policy", "approved", "rejected", "outcome"),
    [
        (ALL, 4, 0, "pending"),
        (ALL, 5, 0, "approved"),
        (ALL, 4, 1, "rejected"),  # all can no longer be reached
        (QUORUM_2, 1, 3, "pending"),  # one pending could still make two
        (QUORUM_2, 2, 0, "approved"),
        (QUORUM_2, 1, 4, "rejected"),
        (QUORUM_3_VETO, 2, 0, "pending"),
        (QUORUM_3_VETO, 2, 1, "rejected"),  # one rejection vetoes
        (QUORUM_3_VETO, 3, 0, "approved"),
    ],
)
def test_join_outcomes(policy: JoinPolicy, approved: int, rejected: int, outcome: str) -> None:
    assert policy.outcome(5, approved, rejected) == outcome


def test_policies_that_cannot_work_are_refused() -> None:
    with pytest.raises(ValidationError, match="a quorum policy needs quorum"):
        JoinPolicy(mode="quorum")
    with pytest.raises(ValidationError, match="quorum 4 is more than the 3 approvers"):
        SignOffRequest(subject="x", requester="alice", approvers=["maria", "dev", "carla"],
                       policy=JoinPolicy(mode="quorum", quorum=4))  # fmt: skip
    with pytest.raises(ValidationError, match="an approver is listed twice"):
        SignOffRequest(subject="x", requester="alice", approvers=["maria", "maria"])
    with pytest.raises(ValidationError, match="may not sign off their own request"):
        SignOffRequest(subject="x", requester="maria", approvers=["maria", "dev"])


BOARD = ["maria", "dev", "carla", "lena", "frank"]


async def sign_off(
    app: App, policy: JoinPolicy, approvers: list[str] = BOARD
) -> WorkflowHandle[Any, Any]:
    inp = SignOffInput(
        request=SignOffRequest(subject="the 2027 budget", requester="alice",
                               approvers=approvers, policy=policy),
        context=run_context(app.task_queue),
    )  # fmt: skip
    h = await app.start(MultiApproverSignOff.run, inp, "signoff")
    await wait_for_state(h, lambda s: len(s.open_tasks) == len(approvers), "every approver")
    return h


async def test_sign_off_by_all_in_any_order(app: App) -> None:
    async with app.worker():
        h = await sign_off(app, ALL, ["maria", "dev", "carla"])
        for approver in ["carla", "maria", "dev"]:
            await decide(h, f"sign_off_{approver}", approver, "approve")
        result = await h.result()
    assert result.status == "approved"
    # Decisions that reach the workflow together are joined together: compare as a set.
    assert {(v.branch, v.verdict, v.actor) for v in result.join.verdicts} == {
        ("sign_off_carla", "approved", "carla"),
        ("sign_off_maria", "approved", "maria"),
        ("sign_off_dev", "approved", "dev"),
    }
    assert result.join.policy == "all must approve"


async def test_quorum_ends_early_and_tells_the_others(app: App) -> None:
    store = app.store
    async with app.worker():
        h = await sign_off(app, QUORUM_2)
        await decide(h, "sign_off_lena", "lena", "approve")
        await decide(h, "sign_off_dev", "dev", "approve")
        result = await h.result()
        assert (await h.query(HumanWorkflow.state)).open_tasks == []
    assert result.status == "approved"
    assert sorted(result.join.closed) == ["sign_off_carla", "sign_off_frank", "sign_off_maria"]
    closed = {n.recipient for n in store.outbox(workflow_id=h.id) if n.subject.startswith("Closed")}
    assert closed == {"carla", "frank", "maria"}


async def test_one_rejection_vetoes(app: App) -> None:
    async with app.worker():
        h = await sign_off(app, QUORUM_3_VETO)
        await decide(h, "sign_off_maria", "maria", "approve")
        await decide(h, "sign_off_frank", "frank", "reject", comment="over budget")
        result = await h.result()
        await record_history(h, "signoff")
    assert result.status == "rejected"
    assert result.join.policy == "3 of 5 must approve; one rejection vetoes"
    rejected = [v for v in result.join.verdicts if v.verdict == "rejected"]
    assert [(v.actor, v.comment) for v in rejected] == [("frank", "over budget")]
    assert len(result.join.closed) == 3


async def test_quorum_out_of_reach_rejects_without_veto(app: App) -> None:
    async with app.worker():
        h = await sign_off(app, JoinPolicy(mode="quorum", quorum=4))
        await decide(h, "sign_off_maria", "maria", "reject", comment="no")
        state = await h.query(HumanWorkflow.state)
        assert len(state.open_tasks) == 4  # four could still make the quorum
        await decide(h, "sign_off_dev", "dev", "reject", comment="no")
        result = await h.result()
    assert result.status == "rejected"
    assert len(result.join.closed) == 3


async def test_proposal_review_by_three_departments(app: App) -> None:
    task_queue = app.task_queue
    inp = ProposalInput(
        request=ProposalRequest(title="Warehouse robots", proposer="ben", location="p.pdf"),
        context=run_context(task_queue),
    )
    async with app.worker():
        approved = await app.start(ProposalReview.run, inp, "proposal")
        rejected = await app.start(ProposalReview.run, inp, "proposal")
        for h in (approved, rejected):
            await wait_for_state(h, lambda s: len(s.open_tasks) == 3, "three reviews")
        for dept, actor in [("legal", "lena"), ("finance", "fiona"), ("engineering", "gus")]:
            await decide(approved, f"{dept}_review", actor, "approve")
        await decide(rejected, "finance_review", "fiona", "reject", comment="no budget")
        ok, no = await approved.result(), await rejected.result()
        await record_history(rejected, "proposal")
    assert ok.status == "approved"
    assert {v.branch for v in ok.join.verdicts} == {
        "legal_review", "finance_review", "engineering_review",
    }  # fmt: skip
    assert no.status == "rejected"
    assert sorted(no.join.closed) == ["engineering_review", "legal_review"]


BRANCHES = [("marketing", "mona"), ("sales", "sal"), ("support", "stella")]


async def start_launch(
    app: App, product: str, launch_at: str, **request: Any
) -> tuple[WorkflowHandle[Any, LaunchResult], Callable[[str], WorkflowHandle[Any, Any]]]:
    """A product launch owned by alice on the test's task queue, and its branches by name
    (child workflows `<its id>-<branch>`)."""
    req = LaunchRequest.model_validate(
        {"product": product, "owner": "alice", "launch_at": launch_at, **request}
    )
    launch = await app.env.client.start_workflow(
        ProductLaunch.run,
        LaunchInput(request=req, context=run_context(app.task_queue)),
        id=new_id("launch"),
        task_queue=app.task_queue,
    )
    return launch, lambda branch: app.env.client.get_workflow_handle(f"{launch.id}-{branch}")


async def test_launch_waits_for_every_branch_then_the_launch_date(app: App) -> None:
    store = app.store
    async with app.worker():
        start, branch_of = await start_launch(app, "Kettle 2", "2020-01-01T00:00:00Z")
        children = {b: branch_of(b) for b, _ in BRANCHES}
        for branch, person in BRANCHES:
            await decide(children[branch], "prepare", person, "done", attachments=[f"{branch}.pdf"])
        parent = await start.describe()
        assert parent.status == WorkflowExecutionStatus.RUNNING
        for branch, _ in BRANCHES:
            child = await children[branch].describe()
            assert child.parent_id == start.id
            await decide(children[branch], "sign_off", "maria", "approve")
        result = await start.result()
    assert result.status == "launched"
    assert {v.branch: v.verdict for v in result.join.verdicts} == {
        "marketing": "approved", "sales": "approved", "support": "approved",
    }  # fmt: skip
    assert [b.kind for b in store.bookings()] == ["launch"]


async def test_launch_happens_on_the_launch_date(app: App) -> None:
    store = app.store
    # The dev server runs on this machine: its clock is ours.
    launch_at = datetime.now(UTC) + timedelta(seconds=5)
    marketing = {"name": "marketing", "role": "marketing", "deliverable": "campaigns"}
    async with app.worker():
        h, branch_of = await start_launch(
            app, "Toaster", launch_at.isoformat(), branches=[marketing]
        )
        child = branch_of("marketing")
        await decide(child, "prepare", "mona", "done", attachments=["campaign.pdf"])
        await decide(child, "sign_off", "maria", "approve")
        waiting = await wait_for_state(
            h, lambda s: s.stage == "waiting_for_launch_date", "the launch-date timer"
        )
        await record_history(child, "launch-branch")
        assert waiting.status == "running"
        assert store.bookings() == [], "launched before the launch date"
        result = await h.result()
    assert result.status == "launched"
    assert result.launched_at is not None
    assert result.launched_at >= launch_at


async def test_a_failing_branch_stops_the_launch(app: App) -> None:
    store = app.store
    async with app.worker():
        h, branch_of = await start_launch(app, "Kettle 3", "2099-01-01T00:00:00Z")
        await decide(
            branch_of("marketing"), "prepare", "mona", "done", attachments=["campaign.pdf"]
        )
        await decide(branch_of("sales"), "prepare", "sal", "blocked", comment="no pricing approved")
        result = await h.result()
        await record_history(h, "launch")
        statuses = {b: (await branch_of(b).describe()).status for b, _ in BRANCHES}
    assert result.status == "not_launched"
    assert result.failed_branches == {"sales": "sales is blocked: no pricing approved"}
    assert sorted(result.join.closed) == ["marketing", "support"]
    assert statuses == {
        "marketing": WorkflowExecutionStatus.CANCELED,
        "sales": WorkflowExecutionStatus.FAILED,
        "support": WorkflowExecutionStatus.CANCELED,
    }
    assert store.bookings() == []
