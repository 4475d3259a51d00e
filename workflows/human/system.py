"""Steps the workflow takes itself: activities run with the run's timeout and retry
policy and recorded as system steps (a failure ends the run with a typed, non-retryable
error), decisions taken by a rule, and the finish that tells the requester."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar, cast, get_args, get_type_hints

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError

with workflow.unsafe.imports_passed_through():
    from valuechain.models.human import DecisionInput, StepRecord
    from valuechain.models.records import BookingInput, BookingOutput
    from valuechain.models.result import RunResult
    from valuechain.steps import activity_summary

from workflows.human.run import RunBase

R = TypeVar("R", bound=RunResult)  # what the run returns: a workflow names it in its class
A = TypeVar("A")
B = TypeVar("B", bound=BookingInput)
Out = TypeVar("Out")

# An activity method as a workflow names it, unbound: (its class's instance, the input).
# Every activity here is a `def`, run on the worker's activity threads.
Activity = Callable[[Any, A], Out]


def declared_input(activity: Activity[A, Any]) -> type[A]:
    """The type an activity method declares it takes (after `self`): what the SDK decodes
    its input as, so the one a workflow builds for it."""
    first = list(inspect.signature(activity).parameters)[1]
    input_type: type[A] = get_type_hints(activity)[first]
    return input_type


class SystemSteps(RunBase, Generic[R]):
    # What every way out of a run returns, named once in the workflow's class
    # (`class Expense(HumanWorkflow[ExpenseResult])`): the type checker holds each exit
    # and the run's declared return to it, and the run builds it. No exit names it again.
    result_type: ClassVar[type[RunResult]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        for base in cls.__dict__.get("__orig_bases__", ()):
            for arg in get_args(base):
                if isinstance(arg, type) and issubclass(arg, RunResult):
                    cls.result_type = arg
        if "run" in cls.__dict__ and not hasattr(cls, "result_type"):
            raise TypeError(
                f"{cls.__qualname__} must name the RunResult its run returns, as in"
                f" class {cls.__name__}(HumanWorkflow[{cls.__name__}Result])"
            )

    def system_decision(self, step: str, decision: str, comment: str = "") -> None:
        """Record a step the workflow decided by itself (a rule, not a person)."""
        self.log(f"{step}: {decision} {comment}".rstrip(), step=step)
        self._record_system_step(step, decision, workflow.now(), comment=comment)

    def _record_system_step(
        self, step: str, decision: str, opened: datetime, **extra: str | None
    ) -> None:
        closed = workflow.now()
        self._run.steps.append(
            StepRecord(
                step=step,
                performer="system",
                role="system",
                actor="system",
                decision=decision,
                opened_at=opened,
                closed_at=closed,
                waited_seconds=(closed - opened).total_seconds(),
                **extra,
            )
        )

    def booking_key(self, step: str) -> str:
        return f"{workflow.info().workflow_id}:{step}"

    async def book(
        self, step: str, activity: Activity[B, BookingOutput], summary: str, **fields: Any
    ) -> BookingOutput:
        """Run a booking activity as a system step (see `automated`); its input, of the
        type the activity takes, carries the step and this run's key for it, so a retried
        booking books once."""
        arg = declared_input(activity)(key=self.booking_key(step), step=step, **fields)
        return await self.automated(step, activity, arg, summary)

    async def automated(
        self,
        step: str,
        activity: Activity[A, Out],
        arg: A,
        summary: str,
        business_errors: tuple[str, ...] = (),
    ) -> Out:
        """Run an activity as a system step with this run's timeout and retry policy,
        recorded in the result; a failure ends the run with a clear ApplicationError
        carrying the domain error's type, except the `business_errors` types, which the
        caller handles (the ActivityError is raised to it as it is)."""
        self._run.current_step = step
        self.set_stage(step)
        opened = workflow.now()
        self.log(summary, step=step)
        try:
            out = await workflow.execute_activity_method(
                activity,
                arg,
                start_to_close_timeout=self.context.activities.start_to_close,
                retry_policy=self.retry_policy(),
                summary=activity_summary(step, summary),
            )
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, CancelledError):
                raise  # the run is being cancelled: that is not the step failing
            if isinstance(cause, ApplicationError) and cause.type in business_errors:
                raise
            kind = (
                cause.type if isinstance(cause, ApplicationError) and cause.type else "StepFailed"
            )
            reason = cause.message if cause is not None and hasattr(cause, "message") else str(err)
            self._run.status = "failed"
            self.log(f"{step} failed: {reason}", step=step, warning=True)
            await self.flush_notices()
            await self.notify(
                "outcome",
                self._run.requester,
                f"Failed: {self._run.subject}",
                f"step {step} failed: {reason}",
                step=step,
            )
            raise ApplicationError(
                f"{step} failed for {self._run.subject}: {reason}", type=kind, non_retryable=True
            ) from err
        self._record_system_step(step, "done", opened, reference=getattr(out, "reference", None))
        self._run.current_step = None
        return out

    async def wait_until(self, at: datetime, doing: str, summary: str, step: str) -> None:
        """Wait on a durable timer until `at` (at once when it has passed), saying so in the
        log and the run's details in the Web UI (`doing`) and on the timer (`summary`)."""
        wait = at - workflow.now()
        if wait.total_seconds() <= 0:
            return
        self.log(f"{doing} at {at.isoformat()}", step=step)
        workflow.set_current_details(f"{doing} at {at.isoformat()}")
        await workflow.sleep(wait, summary=f"{summary} at {at.isoformat()}")

    async def rejected(self, decision: DecisionInput, **fields: Any) -> R:
        """End the run as rejected, saying by whom and why."""
        message = f"rejected by {decision.actor}: {decision.comment}"
        return await self.finish("rejected", message, **fields)

    async def finish(self, status: str, message: str, **fields: Any) -> R:
        """Tell the requester the outcome (unless `outcome_notice` is off, as for the
        stages of a process, whose process tells), deliver every notice, let running
        handlers end, return the result (`R`) with every step recorded."""
        if self.publishes_once:
            # The outcome is known now: shown with the step that decided it, one
            # publication, not a second one after the notices.
            self.set_stage(status)
        await self.flush_notices()
        if self.outcome_notice:
            await self.notify(
                "outcome",
                self._run.requester,
                f"{status}: {self._run.subject}",
                message,
                step="finish",
            )
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._run.status = status
        self._run.current_step = None
        self.set_stage(status)
        self.log(f"finished {status}: {message}", step="finish")
        result = self.result_type(
            status=status,
            started_at=workflow.info().start_time,
            finished_at=workflow.now(),
            steps=list(self._run.steps),
            **fields,
        )
        return cast(R, result)  # result_type is R: the class named it (__init_subclass__)
