"""The human step: its definition, the decision a person sends, and what gets recorded."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from valuechain.models.common import ClockPolicy, Login, Model, Signature

# Fields of a decision that a step can require for a given decision.
DecisionField = Literal["comment", "attachments", "scheduled_for"]


class HumanStepSpec(Model):
    step: Login
    role: str
    decisions: list[str] = Field(min_length=1)
    escalate_to: str
    clocks: ClockPolicy
    assignee: str | None = None
    # Four-eyes: the requester may not decide this step on their own request.
    four_eyes: bool = True
    requires: dict[str, list[DecisionField]] = {}
    summary: str = ""
    # A decision that needs another role than `role` (state machines: a role per transition).
    decision_roles: dict[str, str] = {}
    # What each decision leads to, shown when a decision is refused ("approve -> approved").
    outcomes: dict[str, str] = {}
    # At the due time the system takes this decision instead of only escalating.
    timeout_decision: str | None = None
    # The stage published as a search attribute while the step waits (default: step).
    stage: str | None = None


class DecisionInput(Model):
    task_id: str = Field(min_length=1, max_length=120)
    actor: str = Field(min_length=1, max_length=120)
    decision: str = Field(min_length=1, max_length=60)
    comment: str = Field(default="", max_length=2000)
    attachments: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default=[], max_length=20
    )
    scheduled_for: datetime | None = None
    # Proves who sent the decision: the task list's key for the person signed in, or an
    # administrator's. A run refuses a decision without one.
    signature: Signature | None = None


class DecisionOutput(Model):
    task_id: str
    step: str
    decision: str
    actor: str
    decided_at: datetime


class StepRecord(Model):
    """One step of a run as it happened: who did it, what they decided, how long it took."""

    step: str
    performer: Literal["human", "system"]
    role: str
    actor: str
    decision: str
    opened_at: datetime
    closed_at: datetime
    waited_seconds: float
    task_id: str | None = None
    comment: str = ""
    reminders_sent: int = 0
    escalated_to: str | None = None
    timed_out: bool = False
    reference: str | None = None
    # The key that signed the decision, as "kind:holder" ("tasklist:tasklist", "admin:ops"),
    # and its id.
    signed_by: str | None = None
    signed_with: str | None = None


class OpenTask(Model):
    task_id: str
    step: str
    role: str
    assignee: str | None
    requester: str
    decisions: list[str]
    opened_at: datetime
    due_at: datetime
    reminders_sent: int = 0
    escalated_to: str | None = None
    summary: str = ""
    # What a decision needs besides itself ("reject": ["comment"]), for the form to say.
    requires: dict[str, list[DecisionField]] = {}

    def can_be_taken_by(self, person: str, roles: list[str], role: str | None = None) -> bool:
        """Whether `person` (holding `roles`) is one of those this task waits on; `role`
        overrides the task's role for a decision that needs another one."""
        if self.assignee:
            return person == self.assignee or bool(self.escalated_to and self.escalated_to in roles)
        if self.escalated_to and self.escalated_to in roles:
            return True
        return (role or self.role) in roles


class WorkflowState(Model):
    """What the `state` query answers: where a run is and what was decided so far."""

    workflow_type: str
    subject: str
    requester: str
    status: str
    current_step: str | None
    stage: str  # the current state, step or stage (also the ValuechainStage attribute)
    open_tasks: list[OpenTask]
    steps: list[StepRecord]
    # The ids of the keys whose signatures the run accepts (a signer picks one of them).
    trusted_keys: list[str] = []
