"""`valuechain tasks list|show|decide|outbox`: act as a person on waiting human steps.

A decision the workflow refuses prints the workflow's reason and exits 1."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime
from typing import Annotated

from cyclopts import App, Parameter
from pydantic import ValidationError
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from starters import cli
from starters.cli import Failed, Json
from starters.humans import RunEnded, Waiting, decide, waiting_tasks, workflow_state
from valuechain.models.human import DecisionInput, WorkflowState
from valuechain.records.migrate import open_store
from valuechain.runcontext import load_roster
from valuechain.validation import describe_validation_error

app = App(name="tasks", help="The human steps waiting: list them, show a case, decide one.")

TIME = "%Y-%m-%d %H:%M:%SZ"


def _render_waiting(rows: list[Waiting]) -> None:
    out = cli.console()
    if not rows:
        out.print("no human steps are waiting (start one: valuechain start)")
        return
    shown = cli.table(None, "workflow", "task", "waiting on", "since", "due", "decisions")
    for w in rows:
        t = w.task
        who = t.assignee or f"role:{t.role}"
        if t.escalated_to:
            who += f" (escalated to role:{t.escalated_to})"
        shown.add_row(
            f"{w.workflow_id}\n[{w.workflow_type}] {t.summary}",
            t.task_id,
            who,
            f"{t.opened_at:{TIME}}",
            f"{t.due_at:{TIME}}" + (f"\n{t.reminders_sent} reminders" if t.reminders_sent else ""),
            "|".join(t.decisions),
        )
    out.print(shown)
    out.print("decide: valuechain tasks decide <workflow> <task> <decision> --as <name>")


@app.command(name="list")
def list_(
    *,
    role: Annotated[str | None, Parameter(help="only steps waiting on this role")] = None,
    person: Annotated[
        str | None, Parameter(help="only steps this person may decide (per the roster)")
    ] = None,
    as_json: Json = False,
) -> int:
    """The human steps waiting, oldest first (one list call on ValuechainWaitingRole)."""

    async def go() -> list[Waiting]:
        settings = cli.load_settings()
        roster = load_roster(settings.roster_file) if person else None
        client = await cli.client_for(settings)
        return await waiting_tasks(client, settings.human_queues, role, person, roster)

    rows = asyncio.run(go())
    if as_json:
        cli.print_json([{"workflow_id": w.workflow_id, "workflow_type": w.workflow_type,
                     "task": w.task} for w in rows])  # fmt: skip
    else:
        _render_waiting(rows)
    return 0


def _render_state(workflow_id: str, state: WorkflowState) -> None:
    out = cli.console()
    out.print(f"{workflow_id} [{state.workflow_type}] {state.subject}")
    out.print(f"  requested by {state.requester}; {state.status}, at {state.stage}")
    if state.steps:
        done = cli.table("steps taken", "step", "by", "decision", "closed", "waited")
        for s in state.steps:
            done.add_row(s.step, f"{s.actor} ({s.performer})", s.decision,
                         f"{s.closed_at:{TIME}}", f"{s.waited_seconds:.0f}s")  # fmt: skip
        out.print(done)
    for t in state.open_tasks:
        out.print(f"  waiting: {t.task_id} ({t.step}) on {t.assignee or 'role:' + t.role},"
                  f" due {t.due_at:{TIME}}, decide one of {'|'.join(t.decisions)}")  # fmt: skip


@app.command
def show(workflow_id: str, /, *, as_json: Json = False) -> int:
    """A workflow's steps so far and what it waits for."""

    async def go() -> WorkflowState:
        client = await cli.client_for(cli.load_settings())
        try:
            return await workflow_state(client, workflow_id)
        except RPCError as err:
            raise Failed(f"{workflow_id}: {err.message}", cli.EXIT_FAILED) from err

    state = asyncio.run(go())
    if as_json:
        cli.print_json(state)
    else:
        _render_state(workflow_id, state)
    return 0


@app.command(name="decide")
def decide_(
    workflow_id: str,
    task_id: str,
    decision: str,
    /,
    *,
    actor: Annotated[str, Parameter(name="--as", help="who decides (a roster name)")],
    comment: str = "",
    attach: Annotated[
        list[str] | None, Parameter(negative=(), help="an attachment (repeatable)")
    ] = None,
    at: Annotated[
        datetime | None, Parameter(help="a time with zone, ISO 8601 (for scheduling steps)")
    ] = None,
    key: cli.KeyFile = None,
    as_json: Json = False,
) -> int:
    """Decide a waiting step as a person, signed with an administrator's key (recorded as
    theirs); the workflow checks both (exit 1 if refused)."""
    try:
        given = DecisionInput(task_id=task_id, actor=actor, decision=decision, comment=comment,
                              attachments=attach or [], scheduled_for=at)  # fmt: skip
    except ValidationError as err:
        raise Failed(describe_validation_error("decision", err)) from err

    settings = cli.load_settings()
    signer = cli.signing_key(key, settings)

    async def go() -> int:
        client = await cli.client_for(settings)
        try:
            out = await decide(client, workflow_id, given, signer)
        except WorkflowUpdateFailedError as err:
            print(f"refused: {getattr(err.cause, 'message', None) or err}", file=sys.stderr)
            return cli.EXIT_FAILED
        except RunEnded as err:
            print(f"refused: {err}", file=sys.stderr)
            return cli.EXIT_FAILED
        except RPCError as err:
            raise Failed(f"{workflow_id}: {err.message}", cli.EXIT_FAILED) from err
        if as_json:
            cli.print_json(out)
        else:
            cli.console().print(f"{out.actor} decided {out.decision} on {out.task_id} ({out.step})"
                            f" at {out.decided_at:{TIME}}")  # fmt: skip
        return 0

    return asyncio.run(go())


@app.command
def outbox(
    *,
    to: Annotated[
        str | None, Parameter(help="only notices to this recipient (a name or role:<role>)")
    ] = None,
    workflow: Annotated[str | None, Parameter(help="only notices of this workflow")] = None,
    limit: int = 50,
    as_json: Json = False,
) -> int:
    """The notices sent (assignments, reminders, escalations, outcomes), newest first."""
    if not 1 <= limit <= 10_000:
        raise Failed(f"--limit must be between 1 and 10000, got {limit}")
    settings = cli.load_settings()
    entries = open_store(settings.effective_database_url).outbox(
        recipient=to, workflow_id=workflow, limit=limit
    )
    if as_json:
        cli.print_json(entries)
        return 0
    if not entries:
        cli.console().print("the outbox is empty")
        return 0
    shown = cli.table(None, "#", "sent", "kind", "to", "subject")
    for e in entries:
        shown.add_row(str(e.id), f"{e.created_at:{TIME}}", e.kind, e.recipient,
                      f"{e.subject}\n{e.message}")  # fmt: skip
    cli.console().print(shown)
    return 0
