"""State machines: tables checked at load, every transition of compliance review and
support ticket, refused transitions, the revision cap, immediate and SLA escalation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import App, decide, listed, open_task, run_context
from tests.helpers.history import publications_per_task, record_history
from tests.helpers.refusals import file_refusal, refused_decision
from valuechain import search
from valuechain.machines import MachineError, StateMachine, load_machine
from valuechain.models.common import RunContext
from valuechain.models.human import DecisionInput
from valuechain.models.machine import ComplianceInput, ComplianceRequest, TicketInput, TicketRequest
from valuechain.rules import load_table
from workflows.compliance import ComplianceReview
from workflows.human import HumanWorkflow
from workflows.ticket import SupportTicket

PACKAGE = Path(__file__).resolve().parents[1] / "valuechain"
COMPLIANCE = load_machine(PACKAGE / "machines" / "compliance_review.toml")
TICKET = load_machine(PACKAGE / "machines" / "support_ticket.toml")
TRIAGE = load_table(PACKAGE / "tables" / "complaint_triage.toml")

BASE = """
name = "m"
version = "1"
initial = "open"
terminal = ["done"]
[states.open]
role = "clerk"
escalate_to = "boss"
[states.done]
"""
GO = '[[transitions]]\nsource = "open"\ndecision = "finish"\ntarget = "done"\nrole = "clerk"\n'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (GO.replace('target = "done"', 'target = "gone"'), "unknown state 'gone'"),
        (GO + "[states.limbo]\nrole = 'clerk'\nescalate_to = 'boss'\n"
         '[[transitions]]\nsource = "limbo"\ndecision = "out"\ntarget = "done"\nrole = "clerk"\n',
         "unreachable from 'open': limbo"),
        (GO.replace('target = "done"', 'target = "stuck"') + "[states.stuck]\n",
         "state 'stuck' is not terminal and has no transition out"),
        (GO + GO, "'finish' from 'open' is defined twice"),
        (GO + '[[transitions]]\nsource = "done"\ndecision = "again"\ntarget = "open"\n'
         'role = "clerk"\n', "'done' is terminal and cannot be left"),
        (GO.replace("[[transitions]]", "[states.open.x]\n[[transitions]]"), "states.open.x"),
        (GO, None),
    ],
)  # fmt: skip
def test_machine_files_are_checked_when_loaded(
    tmp_path: Path, extra: str, message: str | None
) -> None:
    path = tmp_path / "machine.toml"
    path.write_text(BASE + extra)
    if message is None:
        assert load_machine(path).legal("open")[0].target == "done"
        return
    said = file_refusal(load_machine, path, MachineError)
    assert said.startswith(f"invalid state machine file {path}")
    assert message in said


def test_timeout_decision_must_be_a_transition(tmp_path: Path) -> None:
    path = tmp_path / "machine.toml"
    path.write_text(BASE.replace('escalate_to = "boss"', 'escalate_to = "boss"\n'
                                 'timeout_decision = "expire"') + GO)  # fmt: skip
    with pytest.raises(MachineError, match="timeout_decision 'expire' is not a transition"):
        load_machine(path)


def compliance(ctx: RunContext, max_revisions: int = 2) -> ComplianceInput:
    return ComplianceInput(
        request=ComplianceRequest(
            title="Vendor data policy", author="ben", location="docs/vdp-v1.pdf",
            max_revisions=max_revisions,
        ),
        context=ctx,
        machine=COMPLIANCE,
    )  # fmt: skip


async def test_a_refused_decision_with_local_notices_writes_nothing(app: App) -> None:
    # The revision loop's turn (decision accepted, state moved, the next task opened, its
    # notice recorded locally) is one workflow task; the server keeps a refused update's
    # task when the task before it wrote more than ten events, so this checks that the
    # run publishes its changes once per task (workflows/human/publish.py).
    async with app.worker():
        ctx = run_context(app.task_queue, notices="local")
        h = await app.start(ComplianceReview.run, compliance(ctx), "compliance")
        await decide(h, "pending_review", "rita", "request_revision", comment="cite art. 28")
        revision = await open_task(h, "needs_revision")
        msg = await refused_decision(h, DecisionInput(task_id=revision.task_id, actor="ben",
                                             decision="resubmit"))  # fmt: skip
    assert "needs attachments" in msg


async def test_compliance_revision_loop_then_approval(app: App) -> None:
    task_queue = app.task_queue
    async with app.worker():
        h = await app.start(
            ComplianceReview.run, compliance(run_context(task_queue), max_revisions=1), "compliance"
        )
        first = await open_task(h, "pending_review")
        msg = await refused_decision(h, DecisionInput(task_id=first.task_id, actor="rita",
                                             decision="resubmit"))  # fmt: skip
        assert "decision 'resubmit' is not allowed at step 'pending_review'" in msg
        assert "approve -> approved, reject -> rejected, request_revision -> needs_revision" in msg
        await decide(h, "pending_review", "rita", "request_revision", comment="cite GDPR art. 28")
        assert (await h.query(HumanWorkflow.state)).stage == "needs_revision"
        revision = await open_task(h, "needs_revision")
        assert revision.assignee == "ben"
        msg = await refused_decision(h, DecisionInput(task_id=revision.task_id, actor="ben",
                                             decision="resubmit"))  # fmt: skip
        assert "needs attachments" in msg
        await decide(h, "needs_revision", "ben", "resubmit", attachments=["docs/vdp-v2.pdf"])
        # One round allowed: the second review can only approve or reject.
        second = await open_task(h, "pending_review")
        assert second.decisions == ["approve", "reject"]
        msg = await refused_decision(
            h,
            DecisionInput(
                task_id=second.task_id, actor="rita", decision="request_revision", comment="again"
            ),
        )
        assert "'request_revision' is not allowed" in msg
        await decide(h, "pending_review", "rita", "approve")
        result = await h.result()
        await record_history(h, "compliance")
        history = (await h.fetch_history()).events
        shown = (await h.describe()).typed_search_attributes

    # Each turn moves the state, closes a task and opens the next: one upsert and one
    # memo change per workflow task, holding where the run ended.
    per_task = publications_per_task(history)
    assert max(per_task) == (1, 1)
    # The start and three turns; finishing sets the stage it already shows: nothing sent.
    assert sum(upserts for upserts, _ in per_task) == 4, per_task
    assert shown.get(search.STAGE) == "approved"
    assert not shown.get(search.WAITING_ROLE)  # an empty list: waiting on nobody

    assert result.status == "approved"
    assert result.location == "docs/vdp-v2.pdf"
    assert [(t.source, t.decision, t.target, t.actor) for t in result.transitions] == [
        ("pending_review", "request_revision", "needs_revision", "rita"),
        ("needs_revision", "resubmit", "pending_review", "ben"),
        ("pending_review", "approve", "approved", "rita"),
    ]
    [rev] = result.revisions
    assert (rev.round, rev.requested_by, rev.feedback, rev.location) == (
        1, "rita", "cite GDPR art. 28", "docs/vdp-v2.pdf",
    )  # fmt: skip
    assert rev.resubmitted_at is not None
    assert rev.resubmitted_at >= rev.requested_at


async def test_compliance_rejection_and_roles(app: App) -> None:
    task_queue = app.task_queue
    async with app.worker():
        h = await app.start(ComplianceReview.run, compliance(run_context(task_queue)), "compliance")
        task = await open_task(h, "pending_review")
        msg = await refused_decision(h, DecisionInput(task_id=task.task_id, actor="maria",
                                             decision="approve"))  # fmt: skip
        assert "may not decide" in msg
        await decide(h, "pending_review", "rita", "reject", comment="out of policy")
        result = await h.result()
        await record_history(h, "compliance-reject")
    assert result.status == "rejected"
    assert [t.target for t in result.transitions] == ["rejected"]
    assert result.transitions[0].comment == "out of policy"


def ticket(ctx: RunContext, machine: StateMachine = TICKET, **request: Any) -> TicketInput:
    fields = {"customer": "jo@example.com", "subject": "Invoice charged twice",
              "description": "You charged my card twice for invoice 7", **request}  # fmt: skip
    return TicketInput(
        request=TicketRequest.model_validate(fields), context=ctx, machine=machine, triage=TRIAGE
    )


async def test_ticket_resolved_directly_confirmed_and_surveyed(app: App) -> None:
    store, task_queue = app.store, app.task_queue
    async with app.worker():
        h = await app.start(SupportTicket.run, ticket(run_context(task_queue)), "ticket")
        new = await open_task(h, "new")
        agent = new.assignee
        assert agent in ("tina", "tom")
        msg = await refused_decision(
            h, DecisionInput(task_id=new.task_id, actor="sue", decision="resolve", comment="done")
        )
        assert "may not decide" in msg  # the assigned agent, by name
        await decide(h, "new", agent, "resolve", comment="refunded the second charge")
        await decide(h, "resolved", "jo@example.com", "confirm")
        result = await h.result()
        await record_history(h, "ticket-direct")

    assert result.status == "closed"
    assert (result.category, result.categorised_automatically) == ("billing", True)
    assert (result.priority, result.escalated_immediately) == ("normal", False)
    assert [(t.source, t.target) for t in result.transitions] == [
        ("new", "resolved"), ("resolved", "closed"),
    ]  # fmt: skip
    to_customer = [n.subject for n in store.outbox(recipient="jo@example.com")]
    assert to_customer[0] == f"We received your ticket {h.id}"
    assert f"How did we do on {h.id}?" in to_customer
    assert store.bookings(kind="ticket_assignment")[0].subject == agent


async def test_safety_ticket_escalates_at_once(app: App) -> None:
    store, task_queue = app.store, app.task_queue
    async with app.worker():
        h = await app.start(
            SupportTicket.run,
            ticket(
                run_context(task_queue),
                subject="Charger",
                description="it sparks and smokes",
                severity="low",
            ),
            "ticket",
        )
        task = await open_task(h, "escalated")
        assert task.role == "supervisor"
        state = await h.query(HumanWorkflow.state)
        assert state.steps[-1].step == "assign"  # nobody had acted yet
        await decide(h, "escalated", "sue", "resolve", comment="recall arranged")
        await decide(h, "resolved", "jo@example.com", "confirm")
        result = await h.result()
        await record_history(h, "ticket-safety")
    assert (result.category, result.priority) == ("safety", "critical")
    assert result.escalated_immediately
    first = result.transitions[0]
    assert (first.source, first.decision, first.target, first.actor) == (
        "new", "escalate", "escalated", "system",
    )  # fmt: skip
    escalations = [n for n in store.outbox(workflow_id=h.id) if n.kind == "escalation"]
    assert escalations[0].recipient == "role:supervisor"


async def test_ticket_past_due_escalates_then_reopens(app: App) -> None:
    task_queue = app.task_queue
    ctx = run_context(task_queue, due=timedelta(seconds=2))
    async with app.worker():
        h = await app.start(SupportTicket.run, ticket(ctx, category="product"), "ticket")
        # Nobody starts it: at the due time the system escalates to the supervisor.
        await open_task(h, "escalated")
        await decide(h, "escalated", "sue", "resolve", comment="replacement sent")
        await decide(h, "resolved", "jo@example.com", "reopen", comment="wrong colour")
        agent_task = await open_task(h, "in_progress")
        await decide(h, "in_progress", agent_task.assignee or "", "resolve", comment="swapped")
        # The customer stays silent: the resolution closes itself at the due time.
        result = await h.result()
        await record_history(h, "ticket")
    assert result.categorised_automatically is False
    assert [(t.source, t.decision, t.target, t.actor) for t in result.transitions] == [
        ("new", "escalate", "escalated", "system"),
        ("escalated", "resolve", "resolved", "sue"),
        ("resolved", "reopen", "in_progress", "jo@example.com"),
        ("in_progress", "resolve", "resolved", agent_task.assignee),
        ("resolved", "auto_close", "closed", "system"),
    ]
    timed_out = [s.step for s in result.steps if s.timed_out]
    assert timed_out == ["new", "resolved"]


async def test_stage_and_waiting_role_are_searchable(app: App) -> None:
    env, task_queue = app.env, app.task_queue
    async with app.worker():
        h = await app.start(ComplianceReview.run, compliance(run_context(task_queue)), "compliance")
        await open_task(h, "pending_review")
        query = (
            f'WorkflowId="{h.id}" AND ValuechainStage="pending_review"'
            ' AND ValuechainWaitingRole="compliance_reviewer"'
        )
        assert await listed(env.client, query) == [h.id]
        await h.terminate("test done")


async def test_agent_starts_then_escalates_a_ticket(app: App) -> None:
    store, task_queue = app.store, app.task_queue
    async with app.worker():
        h = await app.start(
            SupportTicket.run, ticket(run_context(task_queue), category="product"), "ticket"
        )
        new = await open_task(h, "new")
        assert new.decisions == ["start", "resolve"]  # escalating from new is the system's
        agent = new.assignee or ""
        await decide(h, "new", agent, "start")
        await decide(h, "in_progress", agent, "escalate", comment="needs a firmware engineer")
        await decide(h, "escalated", "sue", "resolve", comment="firmware 2.1 fixes it")
        await decide(h, "resolved", "jo@example.com", "confirm")
        result = await h.result()
    assert [(t.source, t.decision, t.target, t.actor) for t in result.transitions] == [
        ("new", "start", "in_progress", agent),
        ("in_progress", "escalate", "escalated", agent),
        ("escalated", "resolve", "resolved", "sue"),
        ("resolved", "confirm", "closed", "jo@example.com"),
    ]
    told = [n.subject for n in store.outbox(recipient="jo@example.com")]
    assert "Your ticket was escalated" in told
