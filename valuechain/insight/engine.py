"""Process insight: the measures a process owner asks for, computed from Temporal's own
records, never from counters kept on the side.

`facts_of` reads one run's event history: its activities (each tied to its step by the
step name its summary begins with, see valuechain.steps), its child workflows (the stages
of a process, timed by their start and close events), its parent, and the result it
ended with. A run without a result (still running, failed, cancelled) is asked for its
`state`, which a worker answers by replaying that same history. `Insight` folds runs in
one at a time, so a window of 10,000 workflows needs no more memory than its figures.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.workflow.v1 import PendingActivityInfo
from temporalio.client import WorkflowHistory

from valuechain.converter import DATA_CONVERTER
from valuechain.costs import CostTable
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


def _seconds(later: str | datetime, earlier: str | datetime) -> float:
    def at(value: str | datetime) -> datetime:
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    return (at(later) - at(earlier)).total_seconds()


def _pct(values: list[float], p: float) -> float:
    """The nearest-rank percentile: the smallest value with at least p of them at or
    below it (p90 of ten values is the ninth)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


@dataclass
class StepFigures:
    performers: set[str] = field(default_factory=set)
    durations: list[float] = field(default_factory=list)
    handoff_delays: list[float] = field(default_factory=list)
    handoffs: int = 0
    reminders: int = 0
    escalations: int = 0
    activities: ActivityCounts = field(default_factory=ActivityCounts)
    open_ages: list[float] = field(default_factory=list)  # tasks open now: waiting so far


@dataclass
class TypeFigures:
    runs: int = 0
    open: int = 0
    failed: int = 0
    unread: int = 0  # runs without a result whose `state` no worker answered
    cycle: list[float] = field(default_factory=list)
    human_steps: int = 0
    system_steps: int = 0
    within_due: int = 0
    judged: int = 0  # completed runs with steps, those the due-time share is over
    activities: ActivityCounts = field(default_factory=ActivityCounts)
    costs: list[Decimal] = field(default_factory=list)
    steps: dict[str, StepFigures] = field(default_factory=lambda: defaultdict(StepFigures))
    stages: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Tally:
    """What a completed run's steps add up to: people's steps, system steps, cost."""

    human: int = 0
    system: int = 0
    cost: Decimal = Decimal(0)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.human + other.human, self.system + other.system, self.cost + other.cost)


class Insight:
    """Folds runs in; `report` gives the figures. A completed process's tally (automation
    share, cost) is its own steps' plus those of the child workflows it started, its
    stages: only the tallies of runs that are part of a process are kept until the end."""

    def __init__(self, costs: CostTable | None = None) -> None:
        self.costs = costs if costs is not None and not costs.empty else None
        self.types: dict[str, TypeFigures] = defaultdict(TypeFigures)
        self._own: dict[str, Tally] = {}  # runs in a process: their own steps' tally
        self._kids: dict[str, tuple[str, list[str]]] = {}  # a process run: type, children

    def add(self, run: RunFacts) -> None:
        fig = self.types[run.workflow_type]
        fig.runs += 1
        for step, counts in run.activities.items():
            fig.activities.add(counts)
            fig.steps[step].activities.add(counts)
        for stage in run.stages:
            if stage.finished is not None:
                fig.stages[stage.name].append(_seconds(stage.finished, stage.started))
        if run.closed is None:
            fig.open += 1
        elif not run.completed:
            fig.failed += 1
        if run.result is None:
            fig.unread += 0 if run.completed else 1
            return
        steps = run.result.get("steps", [])
        tally = self._fold_steps(fig, run.workflow_type, steps)
        if run.closed is None and run.as_of is not None:
            for task in run.result.get("open_tasks", []):
                fig.steps[task["step"]].open_ages.append(_seconds(run.as_of, task["opened_at"]))
        if not run.completed or run.closed is None:
            return
        fig.cycle.append(_seconds(run.closed, run.started))
        if steps:
            fig.judged += 1
            fig.within_due += 0 if any(_late(s) for s in steps) else 1
        if run.children:
            self._own[run.workflow_id] = tally
            self._kids[run.workflow_id] = (run.workflow_type, [c.workflow_id for c in run.children])
            return
        if self.costs is not None:
            fig.costs.append(tally.cost)
        if run.parent_id is not None:
            self._own[run.workflow_id] = tally

    def _fold_steps(self, fig: TypeFigures, wf_type: str, steps: list[dict[str, Any]]) -> Tally:
        previous: dict[str, Any] | None = None
        tally = Tally()
        for s in steps:
            sf = fig.steps[s["step"]]
            sf.performers.add(s["performer"])
            sf.durations.append(_seconds(s["closed_at"], s["opened_at"]))
            if previous is not None:
                sf.handoff_delays.append(max(0.0, _seconds(s["opened_at"], previous["closed_at"])))
                if s["actor"] != previous["actor"]:
                    sf.handoffs += 1
            sf.reminders += s.get("reminders_sent", 0)
            sf.escalations += 1 if _late(s) else 0
            if s["performer"] == "system":
                fig.system_steps += 1
                tally.system += 1
            else:
                fig.human_steps += 1
                tally.human += 1
            if self.costs is not None:
                tally.cost += self.costs.of(wf_type, s["step"])
            previous = s
        return tally

    def _total(self, workflow_id: str) -> Tally:
        total = self._own.get(workflow_id, Tally())
        for kid in self._kids.get(workflow_id, ("", []))[1]:
            total = total + self._total(kid)
        return total

    def report(self) -> dict[str, Any]:
        # A process's tally is known once all its stages are in: summed here, not kept.
        process_steps: dict[str, Tally] = defaultdict(Tally)
        process_costs: dict[str, list[Decimal]] = defaultdict(list)
        for wf_id, (wf_type, _) in self._kids.items():
            tally = self._total(wf_id)
            process_steps[wf_type] = process_steps[wf_type] + tally
            if self.costs is not None:
                process_costs[wf_type].append(tally.cost)
        out: dict[str, Any] = {
            "currency": self.costs.currency if self.costs else None,
            "workflow_types": {},
        }
        for name, fig in sorted(self.types.items()):
            total = fig.human_steps + fig.system_steps
            entry: dict[str, Any] = {
                "runs": fig.runs, "running": fig.open, "not_completed": fig.failed,
                "steps_unread": fig.unread,
                "cycle_seconds": _spread(fig.cycle),
                "automation_share": fig.system_steps / total if total else None,
                "within_due_share": fig.within_due / fig.judged if fig.judged else None,
                **_rates(fig.activities),
                "cost_per_transaction": _mean(fig.costs + process_costs[name]),
                "steps": {step: self._step(name, step, sf) for step, sf in fig.steps.items()},
            }  # fmt: skip
            if fig.stages:
                medians = {stage: statistics.median(v) for stage, v in fig.stages.items()}
                tally = process_steps[name]
                steps = tally.human + tally.system
                entry["process"] = {
                    "stage_median_seconds": medians,
                    "bottleneck": max(medians, key=lambda s: medians[s]),
                    "end_to_end_seconds": _spread(fig.cycle),
                    # over every step of the completed runs and their stages
                    "automation_share": tally.system / steps if steps else None,
                }
            out["workflow_types"][name] = entry
        return out

    def _step(self, wf_type: str, step: str, sf: StepFigures) -> dict[str, Any]:
        cost = self.costs.of(wf_type, step) if self.costs else Decimal(0)
        return {
            "performer": "/".join(sorted(sf.performers)) or "-",
            "completion_seconds": _spread(sf.durations),
            "handoff_delay_seconds": _spread(sf.handoff_delays),
            "handoffs": sf.handoffs,
            "reminders": sf.reminders,
            "escalations": sf.escalations,
            **_rates(sf.activities),
            "open_now": len(sf.open_ages),
            "open_waiting_seconds": _spread(sf.open_ages),
            "cost": str(cost) if cost else None,
        }


def _mean(amounts: list[Decimal]) -> str | None:
    if not amounts:
        return None
    mean = sum(amounts, Decimal(0)) / len(amounts)
    return str(mean.quantize(Decimal("0.01")))


def _late(step: dict[str, Any]) -> bool:
    return bool(step.get("escalated_to") or step.get("timed_out"))


def _spread(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"median": statistics.median(values), "p90": _pct(values, 0.9), "n": len(values)}


def _rates(counts: ActivityCounts) -> dict[str, Any]:
    n = counts.activities
    return {
        "activities": n,
        "activity_error_rate": counts.failed / n if n else None,
        "activity_retry_rate": counts.retried / n if n else None,
        "activities_retrying_now": counts.retrying,
    }
