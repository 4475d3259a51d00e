"""Process insight: the measures a process owner asks for, computed from Temporal's own
records (event histories and the results they end with), never from counters on the side.

`facts_of` reads one run's history; `Insight` folds runs in one at a time (so a window of
10,000 workflows needs no more memory than its per-step figures), and `report` turns it
into figures per step, per workflow type and per process.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory

from valuechain.converter import DATA_CONVERTER

PROCESSES = {"OrderToCash": "stages", "EmployeeOnboarding": "workflows"}
CLOSED = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: "completed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: "failed",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED: "cancelled",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: "terminated",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT: "timed out",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: "continued as new",
}


@dataclass
class RunFacts:
    workflow_id: str
    workflow_type: str
    status: str
    started: datetime
    closed: datetime | None
    result: dict[str, Any] | None
    activities: int = 0
    failed: int = 0  # activity attempts that ended the activity in failure or time-out
    retried: int = 0  # activities that needed more than one attempt


def facts_of(history: WorkflowHistory) -> RunFacts:
    events = history.events
    first = events[0]
    wf_type = first.workflow_execution_started_event_attributes.workflow_type.name
    facts = RunFacts(history.workflow_id, wf_type, "running", first.event_time.ToDatetime(),
                     None, None)  # fmt: skip
    for e in events:
        t = e.event_type
        if t == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            facts.activities += 1
        elif t == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            if e.activity_task_started_event_attributes.attempt > 1:
                facts.retried += 1
        elif t in (EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
                   EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT):  # fmt: skip
            facts.failed += 1
        elif t in CLOSED:
            facts.status = CLOSED[t]
            facts.closed = e.event_time.ToDatetime()
            if t == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
                payloads = e.workflow_execution_completed_event_attributes.result.payloads
                if payloads:
                    value = DATA_CONVERTER.payload_converter.from_payloads(payloads)[0]
                    facts.result = value if isinstance(value, dict) else None
    return facts


def _seconds(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


@dataclass
class StepFigures:
    performers: set[str] = field(default_factory=set)
    durations: list[float] = field(default_factory=list)
    handoff_delays: list[float] = field(default_factory=list)
    handoffs: int = 0
    reminders: int = 0
    escalations: int = 0


@dataclass
class TypeFigures:
    runs: int = 0
    open: int = 0
    failed: int = 0
    cycle: list[float] = field(default_factory=list)
    human_steps: int = 0
    system_steps: int = 0
    within_due: int = 0
    judged: int = 0  # completed runs with steps, those the due-time share is over
    activities: int = 0
    activity_failures: int = 0
    activity_retries: int = 0
    costs: list[Decimal] = field(default_factory=list)
    steps: dict[str, StepFigures] = field(default_factory=lambda: defaultdict(StepFigures))
    stages: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


class Insight:
    def __init__(self, costs: dict[str, Decimal] | None = None) -> None:
        self.costs = costs or {}
        self.types: dict[str, TypeFigures] = defaultdict(TypeFigures)

    def add(self, run: RunFacts) -> None:
        fig = self.types[run.workflow_type]
        fig.runs += 1
        fig.activities += run.activities
        fig.activity_failures += run.failed
        fig.activity_retries += run.retried
        if run.closed is None:
            fig.open += 1
            return
        if run.status != "completed":
            fig.failed += 1
            return
        fig.cycle.append((run.closed - run.started).total_seconds())
        result = run.result or {}
        steps = result.get("steps", [])
        if steps:
            fig.judged += 1
            late = any(s.get("escalated_to") or s.get("timed_out") for s in steps)
            fig.within_due += 0 if late else 1
        previous: dict[str, Any] | None = None
        cost = Decimal(0)
        for s in steps:
            sf = fig.steps[s["step"]]
            sf.performers.add(s["performer"])
            sf.durations.append(_seconds(s["closed_at"], s["opened_at"]))
            if previous is not None:
                sf.handoff_delays.append(max(0.0, _seconds(s["opened_at"], previous["closed_at"])))
                if s["actor"] != previous["actor"]:
                    sf.handoffs += 1
            sf.reminders += s.get("reminders_sent", 0)
            sf.escalations += 1 if (s.get("escalated_to") or s.get("timed_out")) else 0
            if s["performer"] == "system":
                fig.system_steps += 1
            else:
                fig.human_steps += 1
            cost += self.costs.get(s["step"], Decimal(0))
            previous = s
        if self.costs:
            fig.costs.append(cost)
        for stage in result.get(PROCESSES.get(run.workflow_type, ""), []):
            fig.stages[stage["stage"]].append(_seconds(stage["finished_at"], stage["started_at"]))

    def report(self) -> dict[str, Any]:
        out: dict[str, Any] = {"workflow_types": {}}
        for name, fig in sorted(self.types.items()):
            total = fig.human_steps + fig.system_steps
            entry: dict[str, Any] = {
                "runs": fig.runs, "running": fig.open, "not_completed": fig.failed,
                "cycle_seconds": _spread(fig.cycle),
                "automation_share": fig.system_steps / total if total else None,
                "within_due_share": fig.within_due / fig.judged if fig.judged else None,
                "activity_error_rate": _rate(fig.activity_failures, fig.activities),
                "activity_retry_rate": _rate(fig.activity_retries, fig.activities),
                "cost_per_transaction": str(sum(fig.costs) / len(fig.costs)) if fig.costs else None,
                "steps": {
                    step: {
                        "performer": "/".join(sorted(sf.performers)),
                        "completion_seconds": _spread(sf.durations),
                        "handoff_delay_seconds": _spread(sf.handoff_delays),
                        "handoffs": sf.handoffs, "reminders": sf.reminders,
                        "escalations": sf.escalations,
                    }
                    for step, sf in fig.steps.items()
                },
            }  # fmt: skip
            if fig.stages:
                medians = {stage: statistics.median(v) for stage, v in fig.stages.items()}
                entry["process"] = {
                    "stage_median_seconds": medians,
                    "bottleneck": max(medians, key=lambda s: medians[s]),
                    "end_to_end_seconds": _spread(fig.cycle),
                }
            out["workflow_types"][name] = entry
        return out


def _spread(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"median": statistics.median(values), "p90": _pct(values, 0.9), "n": len(values)}


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None
