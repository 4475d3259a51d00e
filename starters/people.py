"""Act as a person on waiting human steps.

  python -m starters.people list [--role ROLE] [--person NAME]
  python -m starters.people decide WORKFLOW_ID TASK_ID DECISION --as NAME [--comment TEXT]
        [--attach ITEM ...] [--at ISO_TIME]
  python -m starters.people show WORKFLOW_ID
  python -m starters.people outbox [--to RECIPIENT] [--workflow WORKFLOW_ID]

A decision the workflow refuses prints the workflow's reason and exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from starters.common import fail
from valuechain import search
from valuechain.client import ConnectError, connect
from valuechain.models.common import Roster
from valuechain.models.human import DecisionInput, DecisionOutput, OpenTask, WorkflowState
from valuechain.process import run_command, settings_or_exit
from valuechain.records.migrate import open_store
from valuechain.runcontext import load_roster
from valuechain.settings import Settings
from valuechain.validation import describe_validation_error
from workflows.human import HumanWorkflow


@dataclass(frozen=True)
class Waiting:
    workflow_id: str
    workflow_type: str
    task: OpenTask


async def waiting_tasks(
    client: Client,
    task_queues: list[str],
    role: str | None = None,
    person: str | None = None,
    roster: Roster | None = None,
) -> list[Waiting]:
    """Open human tasks of running workflows on `task_queues`, optionally only those a
    role or a person (per `roster`) can take. One list call finds the runs that wait on
    someone (their `ValuechainWaitingRole`, on `role` when given); only those are asked
    for their open tasks."""
    found: list[Waiting] = []
    queues = " OR ".join(f'TaskQueue="{q}"' for q in task_queues)
    waiting = search.WAITING_ROLE.name
    on = f'{waiting}="{role}"' if role else f"{waiting} IS NOT NULL"  # [] is no value
    query = f'ExecutionStatus="Running" AND ({queues}) AND {on}'
    async for execution in client.list_workflows(query):
        handle = client.get_workflow_handle(execution.id)
        try:
            state = await handle.query(HumanWorkflow.state)
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:
                continue  # finished since it was listed
            raise
        for task in state.open_tasks:
            if role and role not in (task.role, task.escalated_to):
                continue
            if person:
                roles = roster.people.get(person, []) if roster else []
                if not task.can_be_taken_by(person, roles):
                    continue
            found.append(Waiting(execution.id, state.workflow_type, task))
    found.sort(key=lambda w: w.task.opened_at)
    return found


async def decide(client: Client, workflow_id: str, decision: DecisionInput) -> DecisionOutput:
    handle = client.get_workflow_handle(workflow_id)
    return await handle.execute_update(HumanWorkflow.decide, decision)


async def workflow_state(client: Client, workflow_id: str) -> WorkflowState:
    return await client.get_workflow_handle(workflow_id).query(HumanWorkflow.state)


def _print_waiting(rows: list[Waiting]) -> None:
    if not rows:
        print("no human steps are waiting")
        return
    for w in rows:
        t = w.task
        who = t.assignee or f"role:{t.role}"
        if t.escalated_to:
            who += f" (escalated to role:{t.escalated_to})"
        print(f"{w.workflow_id}  {t.task_id}  [{w.workflow_type}]")
        print(f"    {t.summary}")
        print(
            f"    waiting on {who} since {t.opened_at:%Y-%m-%d %H:%M:%S}Z,"
            f" due {t.due_at:%Y-%m-%d %H:%M:%S}Z, reminders sent {t.reminders_sent}"
        )
        print(
            f"    decide: python -m starters.people decide {w.workflow_id} {t.task_id}"
            f" <{'|'.join(t.decisions)}> --as <name>"
        )


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "outbox":
        store = open_store(settings.effective_database_url)
        entries = await asyncio.to_thread(
            store.outbox, recipient=args.to, workflow_id=args.workflow, limit=args.limit
        )
        for e in entries:
            print(
                f"#{e.id} {e.created_at:%Y-%m-%d %H:%M:%S} [{e.kind}] to {e.recipient}:"
                f" {e.subject}\n    {e.message}"
            )
        if not entries:
            print("the outbox is empty")
        return 0

    try:
        client = await connect(settings)
    except ConnectError as err:
        fail(str(err), code=1)

    if args.command == "list":
        roster = load_roster(settings.roster_file) if args.person else None
        rows = await waiting_tasks(client, settings.human_queues, args.role, args.person, roster)
        _print_waiting(rows)
        return 0

    if args.command == "show":
        try:
            state = await workflow_state(client, args.workflow_id)
        except RPCError as err:
            fail(f"{args.workflow_id}: {err.message}", code=1)
        print(state.model_dump_json(indent=2))
        return 0

    try:
        decision = DecisionInput(
            task_id=args.task_id,
            actor=args.actor,
            decision=args.decision,
            comment=args.comment or "",
            attachments=args.attach or [],
            scheduled_for=args.at,
        )
    except ValidationError as err:
        fail(describe_validation_error("decision", err))
    try:
        out = await decide(client, args.workflow_id, decision)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        print(f"refused: {getattr(cause, 'message', None) or err}", file=sys.stderr)
        return 1
    except RPCError as err:
        fail(f"{args.workflow_id}: {err.message}", code=1)
    print(
        f"{out.actor} decided {out.decision} on {out.task_id} ({out.step})"
        f" at {out.decided_at:%Y-%m-%d %H:%M:%S}Z"
    )
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Act on waiting human steps.")
    sub = p.add_subparsers(dest="command", required=True)
    lst = sub.add_parser("list", help="list the human steps waiting")
    lst.add_argument("--role", help="only steps waiting on this role")
    lst.add_argument("--person", help="only steps this person may decide (per the roster)")
    dec = sub.add_parser("decide", help="decide a waiting step as a person")
    dec.add_argument("workflow_id")
    dec.add_argument("task_id")
    dec.add_argument("decision")
    dec.add_argument("--as", dest="actor", required=True, help="who decides (a roster name)")
    dec.add_argument("--comment")
    dec.add_argument("--attach", action="append", help="an attachment (repeatable)")
    dec.add_argument("--at", help="a time with zone, ISO 8601 (for scheduling steps)")
    show = sub.add_parser("show", help="show a workflow's state")
    show.add_argument("workflow_id")
    out = sub.add_parser("outbox", help="read the notification outbox")
    out.add_argument("--to", help="only notices to this recipient (a name or role:<role>)")
    out.add_argument("--workflow", help="only notices of this workflow")
    out.add_argument("--limit", type=int, default=50)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "at", None):
        try:
            args.at = datetime.fromisoformat(args.at)
        except ValueError:
            fail(f"--at {args.at!r} is not an ISO 8601 time, for example 2026-12-01T09:00:00Z")
    return asyncio.run(_run(args, settings_or_exit()))


if __name__ == "__main__":
    run_command(main)
