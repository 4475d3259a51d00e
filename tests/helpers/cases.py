"""The four sequential workflows described once, so every mechanism test (validators,
clocks, retries, domain failures, exactly-once booking, replay) runs against each."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle

from tests.helpers import decide, new_id, run_context
from valuechain import errors
from valuechain.models.blog import BlogInput, BlogRequest
from valuechain.models.common import Model, RunContext
from valuechain.models.document import DocumentInput, DocumentRequest
from valuechain.models.expense import ExpenseInput, ExpenseRequest
from valuechain.models.rules_driven import PurchaseInput, PurchaseRequest
from valuechain.models.timeoff import TimeOffInput, TimeOffRequest
from valuechain.records.store import SystemOfRecord
from valuechain.rules import DecisionTable, load_table
from workflows.blog import BlogPublishing
from workflows.document import DocumentApproval
from workflows.expense import ExpenseReimbursement
from workflows.timeoff import TimeOffRequestWorkflow


@dataclass(frozen=True)
class Step:
    step: str
    actor: str
    decision: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    name: str
    run: Callable[..., Any]
    make_input: Callable[[RunContext, str], Model]
    requester: str
    # A requester who also holds the first step's role: only four-eyes stops them.
    self_approver: str
    first_step: str
    escalation_actor: str  # holds the first step's escalation role
    happy_path: list[Step]
    success_status: str
    booking_step: str
    booking_activity: str
    reference_field: str
    permanent_error: str
    arrange_permanent_failure: Callable[[SystemOfRecord, str, Any], None]
    # What a rejected result still says of the request (the report reads it).
    rejected_keeps: dict[str, Any]

    def __str__(self) -> str:
        return self.name


def _expense(ctx: RunContext, requester: str) -> ExpenseInput:
    return ExpenseInput(
        request=ExpenseRequest(
            employee=requester,
            amount=Decimal("125.50"),
            category="travel",
            description="Client visit, train tickets",
            receipts=["receipts/train.pdf"],
            payee_account=f"ACC-{uuid.uuid4().hex[:8]}",
        ),
        context=ctx,
    )


def _document(ctx: RunContext, requester: str) -> DocumentInput:
    return DocumentInput(
        request=DocumentRequest(
            title="Travel policy",
            author=requester,
            location="docs/travel-policy-v1.pdf",
            stakeholders=["maria", "hana"],
        ),
        context=ctx,
    )


def _blog(ctx: RunContext, requester: str) -> BlogInput:
    return BlogInput(
        request=BlogRequest(
            title="Durable approvals",
            slug=f"durable-approvals-{uuid.uuid4().hex[:6]}",
            writer=requester,
            draft_location="drafts/durable-approvals.md",
        ),
        context=ctx,
    )


def _timeoff(ctx: RunContext, requester: str) -> TimeOffInput:
    return TimeOffInput(
        request=TimeOffRequest(
            employee=requester, first_day=date(2026, 12, 21), last_day=date(2026, 12, 24)
        ),
        context=ctx,
    )


def _block_payee(store: SystemOfRecord, _: str, inp: ExpenseInput) -> None:
    store.block_account(inp.request.payee_account, "account closed by the bank")


def _archive_taken(store: SystemOfRecord, workflow_id: str, _: DocumentInput) -> None:
    # Something else already archived under this run's key, with other details.
    store.book(
        f"{workflow_id}:archive",
        "archive",
        workflow_id,
        {"title": "another document", "version": 7, "location": "elsewhere.pdf"},
    )


def _slug_taken(store: SystemOfRecord, _: str, inp: BlogInput) -> None:
    store.book(
        "another-post:publish",
        "publication",
        inp.request.slug,
        {"post_id": "another-post", "title": "Same slug", "images": []},
    )


def _overlap(store: SystemOfRecord, _: str, inp: TimeOffInput) -> None:
    store.book(
        "earlier-request:hr_record",
        "time_off",
        inp.request.employee,
        {"first_day": "2026-12-23", "last_day": "2026-12-31", "kind": "vacation"},
    )


# The shipped purchase table, and a purchase request routed by it (or by `table`).
PURCHASE = load_table(
    Path(__file__).resolve().parents[2] / "valuechain" / "tables" / "purchase_approval.toml"
)


def purchase(
    task_queue: str,
    amount: str,
    category: str = "office",
    table: DecisionTable = PURCHASE,
    requester: str = "alice",
) -> PurchaseInput:
    return PurchaseInput(
        request=PurchaseRequest.model_validate(
            {
                "requester": requester,
                "item": "Laptop stand",
                "amount": amount,
                "category": category,
                "vendor": "staples",
            }
        ),
        context=run_context(task_queue),
        table=table,
    )


NOW = datetime(2020, 1, 1, tzinfo=UTC)  # a time already past: publish at once

CASES = [
    Case(
        name="expense",
        run=ExpenseReimbursement.run,
        make_input=_expense,
        requester="alice",
        self_approver="dev",
        first_step="manager_review",
        escalation_actor="dev",
        happy_path=[
            Step("manager_review", "maria", "approve"),
            Step("finance_approval", "fiona", "approve"),
        ],
        success_status="paid",
        booking_step="payout",
        booking_activity="pay_expense",
        reference_field="payout_reference",
        permanent_error=errors.PAYOUT_REJECTED,
        arrange_permanent_failure=_block_payee,
        rejected_keeps={"amount": Decimal("125.50"), "currency": "USD"},
    ),
    Case(
        name="document",
        run=DocumentApproval.run,
        make_input=_document,
        requester="alice",
        self_approver="lena",
        first_step="review",
        escalation_actor="lena",
        happy_path=[Step("review", "rita", "approve")],
        success_status="approved",
        booking_step="archive",
        booking_activity="archive_document",
        reference_field="archive_reference",
        permanent_error=errors.BOOKING_CONFLICT,
        arrange_permanent_failure=_archive_taken,
        rejected_keeps={"version": 1, "location": "docs/travel-policy-v1.pdf"},
    ),
    Case(
        name="blog",
        run=BlogPublishing.run,
        make_input=_blog,
        requester="ben",
        self_approver="erin",
        first_step="editor_review",
        escalation_actor="erin",
        happy_path=[
            Step("editor_review", "eddie", "approve"),
            Step("add_images", "dina", "done", {"attachments": ["images/hero.png"]}),
            Step("schedule", "paul", "schedule", {"scheduled_for": NOW}),
        ],
        success_status="published",
        booking_step="publish",
        booking_activity="publish_post",
        reference_field="publication_reference",
        permanent_error=errors.SLUG_TAKEN,
        arrange_permanent_failure=_slug_taken,
        rejected_keeps={},
    ),
    Case(
        name="timeoff",
        run=TimeOffRequestWorkflow.run,
        make_input=_timeoff,
        requester="alice",
        self_approver="dev",
        first_step="manager_approval",
        escalation_actor="dev",
        happy_path=[Step("manager_approval", "maria", "approve")],
        success_status="recorded",
        booking_step="hr_record",
        booking_activity="record_time_off",
        reference_field="hr_reference",
        permanent_error=errors.TIME_OFF_OVERLAP,
        arrange_permanent_failure=_overlap,
        rejected_keeps={"days": 4},
    ),
]


async def start_case(
    client: Client,
    case: Case,
    task_queue: str,
    ctx: RunContext | None = None,
    requester: str | None = None,
    workflow_id: str | None = None,
) -> WorkflowHandle[Any, Any]:
    """Start `case`'s workflow; by default with long clocks and notices on `task_queue`."""
    return await client.start_workflow(
        case.run,
        case.make_input(ctx or run_context(task_queue), requester or case.requester),
        id=workflow_id or new_id(case.name),
        task_queue=task_queue,
    )


async def walk_happy_path(
    handle: WorkflowHandle[Any, Any], case: Case, first_actor: str | None = None
) -> None:
    """Decide every step of the happy path; `first_actor` stands in for the first one."""
    for i, step in enumerate(case.happy_path):
        actor = first_actor if i == 0 and first_actor else step.actor
        await decide(handle, step.step, actor, step.decision, **step.fields)


# A purchase under 500 for the office: the purchase_approval table approves it alone, so a
# run of it completes with no person (the Temporal CLI, the Web UI and schedule tests).
SMALL_PURCHASE = {"requester": "alice", "item": "Stapler", "amount": "24.90",
                  "category": "office", "vendor": "staples"}  # fmt: skip


def as_flags(request: dict[str, str]) -> list[str]:
    """A request as `valuechain start` / `schedule create` flags."""
    return [part for k, v in request.items() for part in (f"--{k.replace('_', '-')}", v)]
