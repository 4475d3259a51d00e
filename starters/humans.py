"""Human steps through Temporal, as a person's tools see them: the steps waiting (one
list call on the waiting role, then each run's `state` query) and a decision sent as the
workflow's `decide` update. Used by `valuechain tasks` and by the demo people."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from valuechain import search
from valuechain.identity.keys import SigningKey
from valuechain.models.common import Roster
from valuechain.models.human import DecisionInput, DecisionOutput, OpenTask, WorkflowState
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
    someone (their `ValuechainWaitingRole`: on `role`, or on the person's roles or name,
    when given); only those are asked for their open tasks."""
    found: list[Waiting] = []
    queues = " OR ".join(f'TaskQueue="{q}"' for q in task_queues)
    waiting = search.WAITING_ROLE.name
    if role:
        on = f'{waiting}="{role}"'
    elif person:
        on = search.waiting_on(roster.people.get(person, []) if roster else [], person)
    else:
        on = f"{waiting} IS NOT NULL"  # [] is no value
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


class RunEnded(Exception):
    """A decision reached no running workflow: the run ended since the person saw the
    task (a quorum reached without them, the case closed), or there never was one."""


async def decide(
    client: Client, workflow_id: str, decision: DecisionInput, key: SigningKey | None
) -> DecisionOutput:
    """Send a decision, signed with `key` for this run and task (unsigned without one:
    the run refuses it). A refusal raises the SDK's `WorkflowUpdateFailedError`; no
    running workflow to take it, `RunEnded`."""
    if key is not None:
        decision = key.signed(workflow_id, decision.task_id, decision)
    handle = client.get_workflow_handle(workflow_id)
    try:
        return await handle.execute_update(HumanWorkflow.decide, decision)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise RunEnded(
                f"{workflow_id} is not running: nothing is left to decide ({err.message})"
            ) from err
        raise


async def workflow_state(client: Client, workflow_id: str) -> WorkflowState:
    return await client.get_workflow_handle(workflow_id).query(HumanWorkflow.state)
