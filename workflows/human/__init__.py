"""The human step, written once: every workflow with people in the loop inherits it.

A step opens a task (id, role, optional assignee, due time), notifies whoever it waits on,
then waits for a `decide` update on durable timers: reminders go out on the cadence, and
at the due time the task escalates to its escalation target. The update's validator
refuses, without writing history, an unknown task, a task already decided, a decision the
step does not allow, an actor who is not among those the task waits on, the requester
deciding their own request (four-eyes) and a decision missing a field the step needs.

Automated steps (`book`) and notices (`notify`) share the same run context: activity
timeouts and retries come from the workflow input, never from the environment.
"""

from __future__ import annotations

from workflows.human.flat import flattened
from workflows.human.rounds import Reviewed, ReviewRounds
from workflows.human.routed import RoutedApprovals
from workflows.human.run import loaded
from workflows.human.system import R


@flattened
class HumanWorkflow(ReviewRounds, RoutedApprovals[R]):
    """Base class for workflows whose steps people decide."""


__all__ = ["HumanWorkflow", "Reviewed", "loaded"]
