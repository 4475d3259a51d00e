"""The `make run` examples: one request per sequential workflow, and the decisions a
demo person takes at each step when `make run MODE=auto` acts as the people."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from temporalio.client import Client

from starters.people import decide, waiting_tasks
from valuechain.models.common import Roster
from valuechain.models.human import DecisionInput, OpenTask

PUBLISH_DELAY = timedelta(seconds=3)  # the blog waits this long on its durable timer


@dataclass(frozen=True)
class Demo:
    kind: str
    starter: str  # module run as `python -m <starter>`
    args: list[str]


def demos(run_no: int) -> list[Demo]:
    """The example requests; `run_no` keeps a re-run against the same persistent
    database from colliding with an earlier run's slug or time off."""
    day = (date(2027, 1, 4) + timedelta(days=run_no)).isoformat()
    return [
        Demo("expense", "starters.expense", [
            "--employee", "alice", "--amount", "86.40", "--category", "travel",
            "--description", "Taxi to the customer site", "--receipt", "receipts/taxi.pdf",
            "--payee-account", "DE89-3704-0044-0532-0130-00",
        ]),
        Demo("document", "starters.document", [
            "--title", "Remote work policy", "--author", "ben",
            "--location", "docs/remote-work-v1.pdf",
            "--stakeholder", "maria", "--stakeholder", "hana",
        ]),
        Demo("blog", "starters.blog", [
            "--title", "How we approve expenses in a day", "--writer", "alice",
            "--slug", f"approve-expenses-in-a-day-{run_no}", "--draft", "drafts/expenses.md",
        ]),
        Demo("timeoff", "starters.timeoff", [
            "--employee", "ben", "--from", day, "--to", day, "--kind", "vacation",
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
}


def pick_actor(task: OpenTask, roster: Roster) -> str:
    if task.assignee:
        return task.assignee
    role = task.escalated_to or task.role
    for person in roster.holders(role):
        if person != task.requester:
            return person
    raise RuntimeError(f"nobody in the roster can take {task.task_id} (role {role})")


async def act_as_people(
    client: Client,
    task_queue: str,
    workflow_ids: list[str],
    roster: Roster,
    say: Callable[[str], None] = print,
    limit: timedelta = timedelta(minutes=3),
) -> dict[str, Any]:
    """Decide every step of the given runs as the demo people; return their results."""
    results: dict[str, Any] = {}
    deadline = _now() + limit
    pending = set(workflow_ids)
    while pending:
        if _now() > deadline:
            raise TimeoutError(f"examples still running after {limit}: {sorted(pending)}")
        for waiting in await waiting_tasks(client, task_queue):
            if waiting.workflow_id not in pending:
                continue
            task = waiting.task
            actor = pick_actor(task, roster)
            decision = DecisionInput(task_id=task.task_id, actor=actor, **DECISIONS[task.step]())
            await decide(client, waiting.workflow_id, decision)
            say(f"  {actor} decided {decision.decision} on {waiting.workflow_id} {task.task_id}")
        for workflow_id in sorted(pending):
            handle = client.get_workflow_handle(workflow_id)
            if (await handle.describe()).close_time is not None:
                results[workflow_id] = await handle.result()
                pending.discard(workflow_id)
        if pending:
            await asyncio.sleep(0.5)  # people act on what they see; look again shortly
    return results
