"""The report's figures as models: what `valuechain report --json` prints, what the table
and the chart read. A figure renamed here is a type error in every reader."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Spread(BaseModel):
    median: float
    p90: float  # the nearest rank
    n: int


class ActivityRates(BaseModel):
    activities: int
    activity_error_rate: float | None  # failed for good
    activity_retry_rate: float | None  # needed more than one attempt, or on a retry now
    activities_retrying_now: int


class StepReport(ActivityRates):
    performer: str  # human, system, or both
    completion_seconds: Spread | None
    handoff_delay_seconds: Spread | None  # from the previous step's end to this one's start
    handoffs: int  # the actor changed
    reminders: int
    escalations: int
    open_now: int
    open_waiting_seconds: Spread | None
    cost: str | None


class ProcessReport(BaseModel):
    stage_median_seconds: dict[str, float]
    bottleneck: str
    end_to_end_seconds: Spread | None
    automation_share: float | None  # over the process's steps and its stages'


class TypeReport(ActivityRates):
    runs: int
    running: int
    not_completed: int
    steps_unread: int  # runs without a result whose state no worker told
    cycle_seconds: Spread | None
    automation_share: float | None
    within_due_share: float | None
    cost_per_transaction: str | None
    steps: dict[str, StepReport]
    process: ProcessReport | None = None


class Report(BaseModel):
    currency: str | None
    workflow_types: dict[str, TypeReport] = Field(default_factory=dict)
