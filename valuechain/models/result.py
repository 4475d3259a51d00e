from __future__ import annotations

from datetime import datetime

from valuechain.models.common import Model
from valuechain.models.human import StepRecord


class RunResult(Model):
    """What every workflow returns: its outcome and every step, human or system."""

    status: str
    started_at: datetime
    finished_at: datetime
    steps: list[StepRecord]

    @property
    def cycle_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


class StageOutcome(Model):
    """How one workflow of a process ended, and when: a stage of an order, a branch."""

    stage: str
    workflow_id: str
    status: str
    started_at: datetime
    finished_at: datetime
