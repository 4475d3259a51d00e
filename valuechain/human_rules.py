"""The human step's rules that need no Temporal: which decision a task accepts and from
whom, and what its clocks call for next. Pure functions of the run's data, so they are
unit-tested on their own; `workflows/human/` runs them in the workflow (the validator
and the waiting loop), where their answers must stay the same for a replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from valuechain.models.common import Roster
from valuechain.models.human import DecisionInput, HumanStepSpec, OpenTask


def waits_on(view: OpenTask) -> str:
    """Who the task waits on, as people read it."""
    who = f"{view.assignee} ({view.role})" if view.assignee else f"role {view.role}"
    if view.escalated_to:
        return f"waiting on {who} or, escalated, role {view.escalated_to}"
    return f"waiting on {who}"


def recipient(view: OpenTask) -> str:
    """Whom the task's notices go to: the escalation role once escalated."""
    if view.escalated_to:
        return f"role:{view.escalated_to}"
    return view.assignee or f"role:{view.role}"


def refusal(
    decision: DecisionInput,
    spec: HumanStepSpec,
    view: OpenTask,
    decided: DecisionInput | None,
    roster: Roster,
    requester: str,
) -> str | None:
    """Why `decision` may not be taken on this task, or None when it may: already
    decided, not a decision of the step, an actor who is not among those the task waits
    on, the requester deciding their own request (four-eyes), a required field missing,
    a scheduled time without a zone."""
    if decided is not None:
        return (
            f"task '{decision.task_id}' was already decided: {decided.decision} by {decided.actor}"
        )
    if decision.decision not in spec.decisions:
        legal = [f"{d} -> {spec.outcomes[d]}" if d in spec.outcomes else d for d in spec.decisions]
        return (
            f"decision '{decision.decision}' is not allowed at step '{spec.step}';"
            f" allowed: {', '.join(legal)}"
        )
    roles = roster.people.get(decision.actor)
    if roles is None and decision.actor != view.assignee:
        return f"actor '{decision.actor}' is not in the roster"
    needed = spec.decision_roles.get(decision.decision)
    if not view.can_be_taken_by(decision.actor, roles or [], needed):
        waits = f"'{decision.decision}' needs role {needed}" if needed else waits_on(view)
        return f"actor '{decision.actor}' may not decide '{decision.task_id}': {waits}"
    if spec.four_eyes and decision.actor == requester:
        return f"actor '{decision.actor}' made this request and may not decide it (four-eyes)"
    for name in spec.requires.get(decision.decision, []):
        if not getattr(decision, name):
            return f"decision '{decision.decision}' at step '{spec.step}' needs {name}"
    if decision.scheduled_for is not None and decision.scheduled_for.tzinfo is None:
        return "scheduled_for needs a time zone, for example 2026-12-01T09:00:00Z"
    return None


Due = Literal["time_out", "escalate", "remind"]


@dataclass(frozen=True)
class NextTurn:
    """What a waiting task's clocks call for now (`due`), or else when to look again."""

    due: Due | None
    wake_at: datetime | None = None


def next_turn(
    now: datetime,
    opened: datetime,
    view: OpenTask,
    remind_every: timedelta,
    times_out: bool,
) -> NextTurn:
    """At the due time a task with a timeout decision times out, any other escalates
    (once); a reminder is due every `remind_every` after it opened. Until then: wake at
    the next reminder, or the due time if that comes first and has not passed."""
    next_reminder = opened + remind_every * (view.reminders_sent + 1)
    if times_out and now >= view.due_at:
        return NextTurn("time_out")
    if view.escalated_to is None and now >= view.due_at:
        return NextTurn("escalate")
    if now >= next_reminder:
        return NextTurn("remind")
    wake = next_reminder if view.escalated_to else min(next_reminder, view.due_at)
    return NextTurn(None, wake)
