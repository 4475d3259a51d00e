"""Process insight: the measures a process owner asks for, computed from Temporal's own
records, never from counters kept on the side.

`facts_of` reads one run's event history: its activities (each tied to its step by the
step name its summary begins with, see valuechain.steps; a local activity, as a run's
worker records its notices, counts from the marker that records its outcome), its child
workflows (the stages
of a process, timed by their start and close events), its parent, and the result it
ended with. A run without a result (still running, failed, cancelled) is asked for its
`state`, which a worker answers by replaying that same history. `Insight` folds runs in
one at a time, so a window of 10,000 workflows needs no more memory than its figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflow.v1 import PendingActivityInfo
from temporalio.client import WorkflowHistory

from valuechain.converter import DATA_CONVERTER
from valuechain.steps import step_of

E = EventType
CLOSED = {
    E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "completed",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: "failed",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: "cancelled",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: "terminated",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: "timed out",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: "continued as new",
}
CHILD_CLOSED = {
    E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED: "child_workflow_execution_completed",
    E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED: "child_workflow_execution_failed",
    E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED: "child_workflow_execution_canceled",
    E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT: "child_workflow_execution_timed_out",
    E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED: "child_workflow_execution_terminated",
}
NO_STEP = "(no step)"  # an activity whose summary names no step (written before the rule)
LOCAL_ACTIVITY_MARKER = "core_local_activity"  # the SDK's marker for a local activity


@dataclass
class ActivityCounts:
    activities: int = 0
    failed: int = 0  # activities that ended in failure or time-out, all retries spent
    retried: int = 0  # activities that needed more than one attempt (or are on a retry now)
    retrying: int = 0  # of those, activities of running workflows still retrying

    def add(self, other: ActivityCounts) -> None:
        self.activities += other.activities
        self.failed += other.failed
        self.retried += other.retried
        self.retrying += other.retrying


@dataclass
class Child:
    workflow_id: str
    run_id: str
    workflow_type: str
    task_queue: str


@dataclass
class Stage:
    name: str
    started: datetime
    finished: datetime | None = None


class StepFacts(BaseModel):
    """A recorded step (a `StepRecord` in a run's result or state) as the figures read it:
    a field missing or of the wrong type is an error here, never a wrong figure."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    step: str
    performer: Literal["human", "system"]
    actor: str
    opened_at: datetime
    closed_at: datetime
    reminders_sent: int = 0
    escalated_to: str | None = None
    timed_out: bool = False

    @property
    def late(self) -> bool:
        return bool(self.escalated_to or self.timed_out)


class TaskFacts(BaseModel):
    """A task open now (an `OpenTask` in a run's state) as the figures read it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    step: str
    opened_at: datetime


@dataclass
class RunFacts:
    workflow_id: str
    workflow_type: str
    status: str
    started: datetime
    closed: datetime | None
    result: dict[str, Any] | None  # the result, or the `state` a run without one gave
    activities: dict[str, ActivityCounts] = field(default_factory=dict)  # by step
    activity_steps: dict[str, str] = field(default_factory=dict)  # activity id: its step
    stages: list[Stage] = field(default_factory=list)
    children: list[Child] = field(default_factory=list)
    parent_id: str | None = None
    task_queue: str = ""
    as_of: datetime | None = None  # when `state` was asked: open tasks' age is up to then

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    def steps(self) -> list[StepFacts]:
        return [StepFacts.model_validate(s) for s in (self.result or {}).get("steps", [])]

    def open_tasks(self) -> list[TaskFacts]:
        return [TaskFacts.model_validate(t) for t in (self.result or {}).get("open_tasks", [])]


def facts_of(history: WorkflowHistory) -> RunFacts:
    events = history.events
    started = events[0].workflow_execution_started_event_attributes
    facts = RunFacts(history.workflow_id, started.workflow_type.name, "running",
                     events[0].event_time.ToDatetime(), None, None)  # fmt: skip
    facts.task_queue = started.task_queue.name
    if started.HasField("parent_workflow_execution"):
        facts.parent_id = started.parent_workflow_execution.workflow_id
    step_by_event: dict[int, str] = {}
    stage_by_event: dict[int, tuple[Stage, str, str]] = {}
    for e in events:
        t = e.event_type
        if t == E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            step = _summary_step(e)
            step_by_event[e.event_id] = step
            facts.activity_steps[e.activity_task_scheduled_event_attributes.activity_id] = step
            facts.activities.setdefault(step, ActivityCounts()).activities += 1
        elif t == E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            a = e.activity_task_started_event_attributes
            if a.attempt > 1:
                facts.activities[step_by_event[a.scheduled_event_id]].retried += 1
        elif t == E.EVENT_TYPE_ACTIVITY_TASK_FAILED:
            sched = e.activity_task_failed_event_attributes.scheduled_event_id
            facts.activities[step_by_event[sched]].failed += 1
        elif t == E.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
            sched = e.activity_task_timed_out_event_attributes.scheduled_event_id
            facts.activities[step_by_event[sched]].failed += 1
        elif t == E.EVENT_TYPE_MARKER_RECORDED:
            marker = e.marker_recorded_event_attributes
            if marker.marker_name == LOCAL_ACTIVITY_MARKER:
                counts = facts.activities.setdefault(_summary_step(e), ActivityCounts())
                counts.activities += 1
                counts.retried += int(_local_attempts(e) > 1)
                counts.failed += int(marker.HasField("failure"))
        elif t == E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            a2 = e.start_child_workflow_execution_initiated_event_attributes
            # A process names its stages' workflows `<process id>-<stage>`.
            name = a2.workflow_id.removeprefix(f"{history.workflow_id}-")
            stage = Stage(name, e.event_time.ToDatetime())
            stage_by_event[e.event_id] = (stage, a2.workflow_type.name, a2.task_queue.name)
            facts.stages.append(stage)
        elif t == E.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED:
            a3 = e.child_workflow_execution_started_event_attributes
            _, wf_type, queue = stage_by_event[a3.initiated_event_id]
            facts.children.append(Child(a3.workflow_execution.workflow_id,
                                        a3.workflow_execution.run_id, wf_type, queue))  # fmt: skip
        elif t in CHILD_CLOSED:
            initiated = getattr(e, CHILD_CLOSED[t] + "_event_attributes").initiated_event_id
            stage_by_event[initiated][0].finished = e.event_time.ToDatetime()
        elif t in CLOSED:
            facts.status = CLOSED[t]
            facts.closed = e.event_time.ToDatetime()
            if t == E.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
                payloads = e.workflow_execution_completed_event_attributes.result.payloads
                if payloads:
                    value = DATA_CONVERTER.payload_converter.from_payloads(payloads)[0]
                    facts.result = value if isinstance(value, dict) else None
    return facts


def add_retrying(facts: RunFacts, pending: list[PendingActivityInfo]) -> None:
    """Count the activities of a running workflow that are on a retry now: the history
    records an activity's attempts only when it ends."""
    for activity in pending:
        if activity.attempt > 1:
            counts = facts.activities.setdefault(
                facts.activity_steps.get(activity.activity_id, NO_STEP), ActivityCounts()
            )
            counts.retried += 1
            counts.retrying += 1


def _summary_step(event: HistoryEvent) -> str:
    if not event.user_metadata.HasField("summary"):
        return NO_STEP
    text = DATA_CONVERTER.payload_converter.from_payload(event.user_metadata.summary, str)
    return step_of(text) or NO_STEP


def _local_attempts(event: HistoryEvent) -> int:
    """The attempts a local activity took, from its marker's data (the SDK's JSON)."""
    data = event.marker_recorded_event_attributes.details.get("data")
    if data is None or not data.payloads:
        return 1
    try:
        value = json.loads(data.payloads[0].data)
    except ValueError:
        return 1
    return int(value.get("attempt", 1)) if isinstance(value, dict) else 1
