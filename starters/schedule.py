"""`valuechain schedule create|list|pause|resume|delete`: recurring processes on Temporal
Schedules. A schedule starts its workflow with the request alone, so each run's worker
loads the context (roster, clocks, tables) current when that run starts; the Web UI's
Schedules page and `temporal schedule list` show the same schedules.

No `from __future__ import annotations` here: each `create` command's signature names its
row's request model, read by cyclopts when the command is built."""

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from cyclopts import App, Parameter
from pydantic import BaseModel
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleListActionStartWorkflow,
    ScheduleListDescription,
    ScheduleState,
)
from temporalio.service import RPCError, RPCStatusCode

from starters import cli
from starters.cli import Failed, Json
from starters.start import Startable, per_workflow
from valuechain.client import ui_schedule_url
from valuechain.schedules import Recurrence, describe_spec
from workers.registry import type_name

ScheduleId = Annotated[str, Parameter(help="the schedule's id")]
Note = Annotated[str, Parameter(help="why (shown in the Web UI and schedule list)")]


async def create_schedule(
    row: Startable,
    request: BaseModel,
    when: Recurrence,
    schedule_id: str | None,
    paused: bool,
    note: str,
    as_json: bool,
) -> int:
    if row.id_field is not None:
        raise Failed(
            f"{row.name}: cannot recur, its {row.id_field} is its workflow id, so each one "
            f"starts once (valuechain start {row.name}); nothing created"
        )
    settings = cli.load_settings()
    client = await cli.client_for(settings)
    schedule_id = schedule_id or f"{row.name}-schedule-{uuid.uuid4().hex[:8]}"
    action = ScheduleActionStartWorkflow(
        type_name(row.workflow),
        # The request alone: each run's worker loads the context of its day.
        row.input(request=request),
        id=schedule_id,  # each run's id is this and the time it was due
        task_queue=row.task_queue(settings),
        static_summary=f"{row.name}, scheduled by {schedule_id}",
    )
    state = ScheduleState(paused=paused, note=note or None)
    try:
        await client.create_schedule(
            schedule_id,
            Schedule(action=action, spec=when.spec(), policy=when.policy(), state=state),
            memo={"when": when.text(), "workflow": row.name},
        )
    except ScheduleAlreadyRunningError as err:
        raise Failed(
            f"schedule {schedule_id} already exists; nothing created", cli.EXIT_FAILED
        ) from err
    except RPCError as err:
        if err.status == RPCStatusCode.INVALID_ARGUMENT and "schedule spec" in err.message:
            # The server's own cron parser refused what the local check let through.
            raise Failed(f"--cron {when.cron!r}: {err.message}; nothing created") from err
        raise Failed(f"schedule {schedule_id}: {err.message}", cli.EXIT_FAILED) from err
    made = {"schedule_id": schedule_id, "workflow_type": type_name(row.workflow),
            "when": when.text(), "overlap": when.overlap, "paused": paused}  # fmt: skip
    if as_json:
        cli.print_json(made)
    else:
        out = cli.console()
        out.print(f"created schedule {schedule_id}: {row.name} {when.text()}"
                  f"{' (paused)' if paused else ''}")  # fmt: skip
        out.print(f"  web UI:  {ui_schedule_url(settings, schedule_id)}")
        out.print("  list:    valuechain schedule list")
    return 0


def create_command(row: Startable) -> Callable[..., int]:
    def create(
        *,
        request: Annotated[row.request, Parameter(name="*")],  # type: ignore[name-defined]
        when: Annotated[Recurrence | None, Parameter(name="*")] = None,
        schedule_id: Annotated[
            str | None, Parameter(help="the schedule's id (default: <workflow>-schedule-<random>)")
        ] = None,
        input: Annotated[
            Path | None,
            Parameter(help="the request as a JSON object; flags override its fields"),
        ] = None,
        paused: Annotated[bool, Parameter(negative=(), help="create it paused")] = False,
        note: Note = "",
        as_json: Json = False,
    ) -> int:
        # `input` was read into the request's fields by `request_sources`.
        if when is None:  # no flag of the schedule's times at all
            raise Failed("give --cron or --every: when the schedule runs")
        return asyncio.run(create_schedule(row, request, when, schedule_id, paused, note,
                                           as_json))  # fmt: skip

    create.__doc__ = f"Run {row.name} on a schedule: {row.summary}"
    return create


create_app = per_workflow(
    "create",
    "Create a schedule: `valuechain schedule create <workflow> --help` lists its flags "
    "(the workflow's request, then --cron or --every, --overlap, --catchup-window).",
    create_command,
)

app = App(
    name="schedule",
    help="Recurring processes on Temporal Schedules: create, list, pause, resume, delete.",
)
app.command(create_app)


class ScheduleRow(BaseModel):
    """One schedule as `schedule list` shows it (and `--json` prints it)."""

    schedule_id: str
    workflow_type: str | None  # None: the schedule's action starts no workflow
    when: str
    paused: bool
    note: str
    next_run: datetime | None
    runs_started: int  # of the recent actions the server keeps
    last_started: datetime | None


async def _schedules(client: Client) -> list[ScheduleRow]:
    found = [await _row_of(entry) async for entry in await client.list_schedules()]
    return sorted(found, key=lambda r: r.schedule_id)


async def _row_of(entry: ScheduleListDescription) -> ScheduleRow:
    try:
        memo = await entry.memo()
    except Exception:  # encrypted under a key this command has not: times from the spec
        memo = {}
    listed, info = entry.schedule, entry.info
    recent = info.recent_actions if info else []
    return ScheduleRow(
        schedule_id=entry.id,
        workflow_type=(
            listed.action.workflow
            if listed and isinstance(listed.action, ScheduleListActionStartWorkflow)
            else None
        ),
        when=memo.get("when") or (describe_spec(listed.spec) if listed else ""),
        paused=listed.state.paused if listed else False,
        note=(listed.state.note or "") if listed else "",
        next_run=info.next_action_times[0] if info and info.next_action_times else None,
        runs_started=len(recent),
        last_started=recent[-1].started_at if recent else None,
    )


@app.command(name="list")
def list_(*, as_json: Json = False) -> int:
    """The schedules of the namespace (the Web UI's Schedules page shows the same)."""

    async def go() -> list[ScheduleRow]:
        return await _schedules(await cli.client_for(cli.load_settings()))

    rows = asyncio.run(go())
    if as_json:
        cli.print_json(rows)
        return 0
    shown = cli.table("Schedules", "schedule", "workflow", "when", "state", "next run",
                      "last started")  # fmt: skip
    for r in rows:
        state = f"paused: {r.note}" if r.paused else "active"
        shown.add_row(r.schedule_id, r.workflow_type or "", r.when, state,
                      _time(r.next_run), _time(r.last_started))  # fmt: skip
    cli.console().print(shown if rows else "no schedules")
    return 0


def _time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else ""


async def _act(schedule_id: str, what: str, act: Callable[[Any], Any]) -> int:
    client = await cli.client_for(cli.load_settings())
    try:
        await act(client.get_schedule_handle(schedule_id))
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise Failed(f"no schedule {schedule_id}", cli.EXIT_FAILED) from err
        raise Failed(f"schedule {schedule_id}: {err.message}", cli.EXIT_FAILED) from err
    cli.console().print(f"{what} schedule {schedule_id}")
    return 0


@app.command
def pause(schedule_id: ScheduleId, *, note: Note = "paused with valuechain schedule pause") -> int:
    """Pause a schedule: no run starts until it is resumed (runs going go on)."""
    return asyncio.run(_act(schedule_id, "paused", lambda h: h.pause(note=note)))


@app.command
def resume(
    schedule_id: ScheduleId, *, note: Note = "resumed with valuechain schedule resume"
) -> int:
    """Resume a paused schedule."""
    return asyncio.run(_act(schedule_id, "resumed", lambda h: h.unpause(note=note)))


@app.command
def delete(schedule_id: ScheduleId) -> int:
    """Delete a schedule (the runs it started are kept)."""
    return asyncio.run(_act(schedule_id, "deleted", lambda h: h.delete()))
