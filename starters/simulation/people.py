"""The examples of `valuechain run` (`make run`): one request per workflow type, and the
decisions a demo person takes at each step when `--auto` acts as the people."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from temporalio.client import Client, WorkflowUpdateFailedError

from starters.humans import RunEnded, decide, waiting_tasks
from starters.simulation.partners import settle
from valuechain.identity.keys import SigningKey
from valuechain.models.common import Roster
from valuechain.models.human import DecisionInput, OpenTask, StepRecord
from valuechain.models.result import StageOutcome

PUBLISH_DELAY = timedelta(seconds=3)  # the blog waits this long on its durable timer


class Ended(BaseModel):
    """A run's result as the examples' summary reads it: every result is a RunResult;
    a process's also lists its stages (order-to-cash) or workflows (onboarding)."""

    model_config = ConfigDict(extra="ignore")

    status: str
    steps: list[StepRecord]
    stages: list[StageOutcome] = []
    workflows: list[StageOutcome] = []

    @property
    def parts(self) -> tuple[str, int]:
        """What the run is made of, and how many: stages, workflows or steps."""
        for name, items in (("stages", self.stages), ("workflows", self.workflows)):
            if items:
                return name, len(items)
        return "steps", len(self.steps)


@dataclass(frozen=True)
class Demo:
    kind: str  # valuechain start <kind>
    args: list[str]
    id_flag: str = "--workflow-id"  # an order's id is its workflow id


def demos(run_no: int) -> list[Demo]:
    """The example requests; `run_no` keeps a re-run against the same persistent
    database from colliding with an earlier run's slug or time off."""
    day = (date(2027, 1, 4) + timedelta(days=run_no)).isoformat()
    return [
        Demo("expense", [
            "--employee", "alice", "--amount", "86.40", "--category", "travel",
            "--description", "Taxi to the customer site", "--receipts", "receipts/taxi.pdf",
            "--payee-account", "DE89-3704-0044-0532-0130-00",
        ]),
        Demo("document", [
            "--title", "Remote work policy", "--author", "ben",
            "--location", "docs/remote-work-v1.pdf",
            "--stakeholders", "maria", "--stakeholders", "hana",
        ]),
        Demo("blog", [
            "--title", "How we approve expenses in a day", "--writer", "alice",
            "--slug", f"approve-expenses-in-a-day-{run_no}",
            "--draft-location", "drafts/expenses.md",
        ]),
        Demo("timeoff", [
            "--employee", "ben", "--first-day", day, "--last-day", day, "--kind", "vacation",
        ]),
        Demo("order", [
            "--customer", "C-ACME", "--lines", "KETTLE-2=12", "--lines", "TOASTER-4=3",
        ], id_flag="--order-id"),
        Demo("onboarding", [
            "--employee", "nina", "--full-name", "Nina Berg", "--job-title", "Engineer",
            "--manager", "maria", "--start-date", day,
        ]),
    ]  # fmt: skip


def more_demos(run_no: int) -> list[Demo]:
    """One request of every other workflow type (state machines, parallel, rules-driven),
    so a run covers all of them: the cluster's tests start these too."""
    launch_at = (_now() + PUBLISH_DELAY).isoformat()
    return [
        Demo("compliance", [
            "--title", "Vendor data policy", "--author", "ben", "--location", "docs/vdp.pdf",
        ]),
        Demo("ticket", [
            "--customer", "jo@example.com", "--subject", "Charged twice",
            "--description", "my card was charged twice for invoice 7",
        ]),
        Demo("signoff", [
            "--subject", f"2027 budget {run_no}", "--requester", "alice", "--approvers", "maria",
            "--approvers", "dev", "--approvers", "carla", "--policy.mode", "quorum",
            "--policy.quorum", "2",
        ]),
        Demo("proposal", [
            "--title", "Warehouse robots", "--proposer", "ben", "--location", "docs/robots.pdf",
        ]),
        Demo("launch", [
            "--product", "Kettle 3", "--owner", "alice", "--launch-at", launch_at,
        ]),
        Demo("purchase", [
            "--requester", "alice", "--item", "Laptop", "--amount", "1250.00",
            "--category", "it", "--vendor", "dell",
        ]),
        Demo("invoice", [
            "--invoice-number", f"INV-{run_no}", "--vendor", "globex", "--amount", "12500.00",
            "--submitted-by", "adam",
        ]),
        Demo("complaint", [
            "--customer", "Jo Park", "--subject", "Kettle sparks", "--category", "safety",
        ]),
    ]  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


# What a demo person decides at each step (every step takes its forward path).
DECISIONS: dict[str, Callable[[], dict[str, Any]]] = {
    "manager_review": lambda: {"decision": "approve"},
    "finance_approval": lambda: {"decision": "approve"},
    "employee_revision": lambda: {"decision": "resubmit"},
    "review": lambda: {"decision": "approve"},
    "author_revision": lambda: {"decision": "resubmit", "attachments": ["docs/v2.pdf"]},
    "editor_review": lambda: {"decision": "approve"},
    "writer_revision": lambda: {"decision": "resubmit"},
    "add_images": lambda: {"decision": "done", "attachments": ["images/cover.png"]},
    "schedule": lambda: {"decision": "schedule", "scheduled_for": _now() + PUBLISH_DELAY},
    "manager_approval": lambda: {"decision": "approve"},
    # employee onboarding
    "submit": lambda: {"decision": "submitted"},
    "hr_review": lambda: {"decision": "clear"},
    "request": lambda: {"decision": "requested"},
    "configure": lambda: {"decision": "configured"},
    "deliver": lambda: {"decision": "delivered"},
    "approve_permissions": lambda: {"decision": "approve"},
    "security_audit": lambda: {"decision": "pass"},
    # state machines: compliance review, support ticket
    "pending_review": lambda: {"decision": "approve"},
    "needs_revision": lambda: {"decision": "resubmit", "attachments": ["docs/v2.pdf"]},
    "new": lambda: {"decision": "resolve", "comment": "refunded the second charge"},
    "in_progress": lambda: {"decision": "resolve", "comment": "fixed"},
    "escalated": lambda: {"decision": "resolve", "comment": "fixed by the specialist"},
    "resolved": lambda: {"decision": "confirm"},
    # product launch branches, complaint triage
    "prepare": lambda: {"decision": "done", "attachments": ["deliverable.pdf"]},
    "resolve": lambda: {"decision": "resolve", "comment": "replaced the kettle"},
}


def decision_for(step: str) -> dict[str, Any]:
    """The forward decision of a step: named above, or by the shape of its name (courses,
    sign-offs, department reviews, approvals routed by a decision table)."""
    if step in DECISIONS:
        return DECISIONS[step]()
    if step.startswith("course_"):
        return {"decision": "completed"}
    if step.startswith("sign_off") or step.endswith(("_review", "_approval")):
        return {"decision": "approve"}
    raise KeyError(f"no demo decision for step {step!r}")


def pick_actor(task: OpenTask, roster: Roster) -> str:
    if task.assignee:
        return task.assignee
    role = task.escalated_to or task.role
    for person in roster.holders(role):
        if person != task.requester:
            return person
    raise RuntimeError(f"nobody in the roster can take {task.task_id} (role {role})")


@dataclass(frozen=True)
class Signers:
    """The keys the demo signs with: the task list's for people, the partners' for the
    carrier and the bank."""

    tasklist: SigningKey
    partners: SigningKey


async def act_as_people(
    client: Client,
    task_queues: list[str],
    workflow_ids: list[str],
    roster: Roster,
    signers: Signers,
    say: Callable[[str], None] = print,
    limit: timedelta = timedelta(minutes=3),
) -> dict[str, Ended]:
    """Decide every step of the given runs (and of their child workflows) as the demo
    people would through the task list (its key signs), and settle the orders among them
    as carrier and bank (the partners' key signs); return their results."""
    orders = [w for w in workflow_ids if w.startswith("demo-order-")]
    settling = [
        asyncio.ensure_future(settle(client, order_id, signers.partners)) for order_id in orders
    ]
    workflow_ids = [w for w in workflow_ids if w not in orders]
    results: dict[str, Ended] = {}
    deadline = _now() + limit
    pending = set(workflow_ids)
    while pending:
        if _now() > deadline:
            raise TimeoutError(f"examples still running after {limit}: {sorted(pending)}")
        for waiting in await waiting_tasks(client, task_queues):
            # A child workflow (an onboarding branch) is named after its parent.
            if not any(waiting.workflow_id.startswith(w) for w in pending):
                continue
            task = waiting.task
            actor = pick_actor(task, roster)
            decision = DecisionInput(task_id=task.task_id, actor=actor, **decision_for(task.step))
            try:
                await decide(client, waiting.workflow_id, decision, signers.tasklist)
            except (WorkflowUpdateFailedError, RunEnded) as err:
                # What a person sees can be a moment old: a quorum reached, a step closed
                # by the system, the run ended. The workflow said why; look again.
                why = err.cause if isinstance(err, WorkflowUpdateFailedError) else err
                say(f"  {actor} was too late on {waiting.workflow_id} {task.task_id}: {why}")
                continue
            say(f"  {actor} decided {decision.decision} on {waiting.workflow_id} {task.task_id}")
        for workflow_id in sorted(pending):
            handle = client.get_workflow_handle(workflow_id)
            if (await handle.describe()).close_time is not None:
                results[workflow_id] = Ended.model_validate(await handle.result())
                pending.discard(workflow_id)
        if pending:
            await asyncio.sleep(0.5)  # people act on what they see; look again shortly
    for order_id, settled in zip(orders, settling, strict=True):
        outcome = await settled
        if isinstance(outcome, BaseException):
            raise RuntimeError(f"order {order_id} failed: {outcome}")
        results[order_id] = Ended.model_validate(outcome.model_dump())
    return results
