"""What the task list shows, read from Temporal: the tasks waiting on a person (one list
call on the waiting-role search attribute), a case's request (its run's input), its
state and steps, and, for a process, its stages (its child workflows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from starters.humans import workflow_state
from valuechain.models.human import WorkflowState


@dataclass(frozen=True)
class Stage:
    workflow_id: str
    workflow_type: str
    status: str
    started: datetime | None
    closed: datetime | None


@dataclass(frozen=True)
class Case:
    workflow_id: str
    state: WorkflowState
    request: dict[str, Any]
    stages: list[Stage]


async def request_of(client: Client, workflow_id: str) -> dict[str, Any]:
    """The request the run was started with, as plain data (its first event's input)."""
    handle = client.get_workflow_handle(workflow_id)
    async for event in handle.fetch_history_events():
        if event.event_type != EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            break
        payloads = event.workflow_execution_started_event_attributes.input.payloads
        if not payloads:
            break
        [given] = await client.data_converter.decode(list(payloads[:1]), [dict])
        if isinstance(given, dict):
            request = given.get("request", given)
            return request if isinstance(request, dict) else {}
        break
    return {}


async def case(client: Client, workflow_id: str) -> Case:
    state = await workflow_state(client, workflow_id)
    stages: list[Stage] = []
    # A process's stages are its children, named after it (`<order>-<stage>`).
    query = f'ParentWorkflowId="{workflow_id}"'
    async for child in client.list_workflows(query):
        status = child.status.name if child.status else "UNKNOWN"
        stages.append(
            Stage(child.id, child.workflow_type, status.lower(), child.start_time, child.close_time)
        )
    stages.sort(key=lambda s: s.started or datetime.max)
    return Case(workflow_id, state, await request_of(client, workflow_id), stages)
