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

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError

with workflow.unsafe.imports_passed_through():
    from activities.notifier import NotifierActivities
    from valuechain import errors, search
    from valuechain.human_rules import next_turn, recipient, refusal, waits_on
    from valuechain.messages import Raw, parse
    from valuechain.models.common import RunContext
    from valuechain.models.human import (
        DecisionInput,
        DecisionOutput,
        HumanStepSpec,
        OpenTask,
        StepRecord,
        WorkflowState,
    )
    from valuechain.models.notify import NotificationKind, NotifyInput
    from valuechain.models.records import BookingOutput
    from valuechain.models.result import RunResult
    from valuechain.rules import TableDecision
    from valuechain.steps import activity_summary

NOTIFY_TIMEOUT = timedelta(seconds=10)

R = TypeVar("R", bound=RunResult)


@dataclass
class _Task:
    spec: HumanStepSpec
    view: OpenTask
    decision: DecisionInput | None = None
    decided_at: datetime | None = None
    timed_out: bool = False


@dataclass
class _RunState:
    subject: str = ""
    requester: str = ""
    status: str = "starting"
    current_step: str | None = None
    tasks: dict[str, _Task] = field(default_factory=dict)
    steps: list[StepRecord] = field(default_factory=list)


class HumanWorkflow:
    """Base class for workflows whose steps people decide."""

    outcome_notice = True  # a process's stages leave the customer's notice to the process

    def __init__(self) -> None:
        self._run = _RunState()
        self._context: RunContext | None = None
        self._stage = "start"
        self._memo = ""
        self._notices: list[asyncio.Task[None]] = []

    # -- set-up -----------------------------------------------------------------------

    def begin(
        self, subject: str, requester: str, context: RunContext, amount: Decimal | None = None
    ) -> None:
        self._run.subject = subject
        self._run.requester = requester
        self._run.status = "running"
        self._context = context
        if amount is not None:
            workflow.upsert_search_attributes([search.AMOUNT.value_set(float(amount))])
        self.log(f"started: {subject}", step="start")

    def set_stage(self, stage: str) -> None:
        """Publish where the run is (a state, step or stage) for the UI and list queries."""
        self._stage = stage
        self._publish()

    def _publish(self) -> None:
        waiting: list[str] = []
        for tid in self._open_task_ids():
            view = self._run.tasks[tid].view
            for role in (view.role, view.escalated_to):
                if role and role not in waiting:
                    waiting.append(role)
        workflow.upsert_search_attributes(
            [search.STAGE.value_set(self._stage), search.WAITING_ROLE.value_set(waiting)]
        )
        line = self.summary_line()
        if waiting:
            line += f"; waiting on {', '.join(waiting)}"
        workflow.set_current_details(line)  # the run's page in the Web UI shows it
        if line != self._memo:  # a memo change is a history event: only when it changes
            self._memo = line
            workflow.upsert_memo({"summary": line})

    def summary_line(self) -> str:
        """The one line the Web UI shows for this run (its memo): what and where."""
        return f"{self._run.subject}; stage {self._stage}"

    @property
    def requester(self) -> str:
        return self._run.requester

    @property
    def subject(self) -> str:
        return self._run.subject

    @property
    def context(self) -> RunContext:
        if self._context is None:
            raise ApplicationError("workflow used before begin()", non_retryable=True)
        return self._context

    def spec(
        self, step: str, role: str, decisions: list[str], escalate_to: str, **kw: Any
    ) -> HumanStepSpec:
        """A step definition using this run's clocks (callers may pass their own)."""
        kw.setdefault("clocks", self.context.clocks)
        return HumanStepSpec(
            step=step, role=role, decisions=decisions, escalate_to=escalate_to, **kw
        )

    # -- the update, its validator and the query ----------------------------------------

    @workflow.update
    def decide(self, input: DecisionInput | Raw) -> DecisionOutput:
        input = parse(DecisionInput, input, "decision")
        task = self._run.tasks[input.task_id]
        if task.decision is not None:
            # The validator refuses this already; kept in case two updates ever validate
            # before either is applied: the first decision stands, whatever comes next.
            raise ApplicationError(
                f"task '{input.task_id}' was already decided: {task.decision.decision}"
                f" by {task.decision.actor}",
                type="AlreadyDecided",
            )
        now = workflow.now()
        task.decision = input
        task.decided_at = now
        self.log(
            f"{input.actor} decided {input.decision} on {input.task_id}",
            step=task.spec.step,
            task_id=input.task_id,
        )
        return DecisionOutput(
            task_id=input.task_id,
            step=task.spec.step,
            decision=input.decision,
            actor=input.actor,
            decided_at=now,
        )

    @decide.validator
    def _validate_decision(self, input: DecisionInput | Raw) -> None:
        input = parse(DecisionInput, input, "decision")
        task = self._run.tasks.get(input.task_id)
        if task is None:
            waiting = ", ".join(self._open_task_ids()) or "none"
            raise ValueError(f"unknown task '{input.task_id}'; open tasks: {waiting}")
        why = refusal(
            input, task.spec, task.view, task.decision, self.context.roster, self._run.requester
        )
        if why is not None:
            raise ValueError(why)

    @workflow.query
    def state(self) -> WorkflowState:
        return WorkflowState(
            workflow_type=workflow.info().workflow_type,
            subject=self._run.subject,
            requester=self._run.requester,
            status=self._run.status,
            current_step=self._run.current_step,
            stage=self._stage,
            open_tasks=[self._run.tasks[t].view for t in self._open_task_ids()],
            steps=list(self._run.steps),
        )

    def _open_task_ids(self) -> list[str]:
        return [tid for tid, t in self._run.tasks.items() if t.decision is None]

    # -- the human step -----------------------------------------------------------------

    async def human_step(self, spec: HumanStepSpec) -> DecisionInput:
        """Open a task, remind and escalate on durable timers, return the decision."""
        round_no = 1 + sum(1 for t in self._run.tasks.values() if t.spec.step == spec.step)
        task_id = f"{spec.step}-{round_no}"
        opened = workflow.now()
        view = OpenTask(
            task_id=task_id,
            step=spec.step,
            role=spec.role,
            assignee=spec.assignee,
            requester=self._run.requester,
            decisions=spec.decisions,
            opened_at=opened,
            due_at=opened + spec.clocks.due_after,
            summary=spec.summary or self._run.subject,
        )
        task = _Task(spec, view)
        self._run.tasks[task_id] = task
        self._run.current_step = spec.step
        self._run.status = "waiting"
        self._stage = spec.stage or spec.step
        self._publish()
        self.log(f"{task_id} opened, {waits_on(view)}", step=spec.step, task_id=task_id)
        self.notify_soon(
            "assigned",
            recipient(view),
            f"Task {task_id}: {view.summary}",
            f"{waits_on(view)}; decide one of {', '.join(spec.decisions)}"
            f" by {view.due_at.isoformat()}",
            task_id=task_id,
            step=spec.step,
        )

        while task.decision is None:
            now = workflow.now()
            turn = next_turn(
                now, opened, view, spec.clocks.remind_every, bool(spec.timeout_decision)
            )
            if turn.due == "time_out":
                await self._time_out(task)
            elif turn.due == "escalate":
                view.escalated_to = spec.escalate_to
                self._publish()
                self.log(
                    f"{task_id} passed its due time; escalated to {spec.escalate_to}",
                    step=spec.step,
                    task_id=task_id,
                    warning=True,
                )
                self.notify_soon(
                    "escalation",
                    f"role:{spec.escalate_to}",
                    f"Escalated {task_id}: {view.summary}",
                    f"{task_id} was due {view.due_at.isoformat()} and is still open;"
                    f" {waits_on(view)}",
                    task_id=task_id,
                    step=spec.step,
                )
            elif turn.due == "remind":
                view.reminders_sent += 1
                self.notify_soon(
                    "reminder",
                    recipient(view),
                    f"Reminder {view.reminders_sent} for {task_id}: {view.summary}",
                    f"still waiting since {opened.isoformat()}; due {view.due_at.isoformat()}",
                    task_id=task_id,
                    step=spec.step,
                    key_suffix=str(view.reminders_sent),
                )
            else:
                assert turn.wake_at is not None
                # A timeout is a reminder or the due time: the next loop turn says which.
                with contextlib.suppress(TimeoutError):
                    await workflow.wait_condition(
                        lambda: task.decision is not None,
                        timeout=turn.wake_at - now,
                        timeout_summary=f"{task_id}: next reminder or due time",
                    )

        decision = task.decision
        decided_at = task.decided_at or workflow.now()
        self._run.steps.append(
            StepRecord(
                step=spec.step,
                performer="human",
                role=spec.role,
                actor=decision.actor,
                decision=decision.decision,
                opened_at=opened,
                closed_at=decided_at,
                waited_seconds=(decided_at - opened).total_seconds(),
                task_id=task_id,
                comment=decision.comment,
                reminders_sent=view.reminders_sent,
                escalated_to=view.escalated_to,
                timed_out=task.timed_out,
            )
        )
        if not self._open_task_ids():
            self._run.status = "running"
            self._run.current_step = None
        self._publish()
        return decision

    async def _time_out(self, task: _Task) -> None:
        """The due time passed on a step with a timeout outcome: the system decides."""
        spec, view = task.spec, task.view
        assert spec.timeout_decision is not None
        task.timed_out = True
        task.decision = DecisionInput(
            task_id=view.task_id,
            actor="system",
            decision=spec.timeout_decision,
            comment=f"due {view.due_at.isoformat()} passed",
        )
        task.decided_at = workflow.now()
        self.log(
            f"{view.task_id} passed its due time; the system took '{spec.timeout_decision}'",
            step=spec.step,
            task_id=view.task_id,
            warning=True,
        )
        self.notify_soon(
            "escalation",
            f"role:{spec.escalate_to}",
            f"Timed out {view.task_id}: {view.summary}",
            f"{view.task_id} was due {view.due_at.isoformat()};"
            f" the system took '{spec.timeout_decision}'",
            task_id=view.task_id,
            step=spec.step,
        )

    async def close_open_tasks(self, reason: str) -> None:
        """End every open task without a decision (the outcome is already certain) and
        tell those it waited on that it is closed."""
        for tid in self._open_task_ids():
            task = self._run.tasks[tid]
            task.decision = DecisionInput(
                task_id=tid, actor="system", decision="closed", comment=reason
            )
            task.decided_at = workflow.now()
            self.notify_soon(
                "info",
                recipient(task.view),
                f"Closed {tid}: {task.view.summary}",
                f"no decision needed any more: {reason}",
                task_id=tid,
                step=task.spec.step,
            )

    async def approval_chain(
        self, route: TableDecision, summary: str, skip: tuple[str, ...] = ("automatic",)
    ) -> tuple[list[str], DecisionInput | None]:
        """One approval step per approver a decision table routed to, in rule order.
        Returns the roles that approved and the rejection that stopped the chain, if any."""
        approved: list[str] = []
        for hit in route.hits:
            role = hit.outputs["approver"]
            if role in skip:
                continue
            decision = await self.human_step(
                self.spec(
                    f"{role}_approval",
                    role,
                    ["approve", "reject"],
                    escalate_to=hit.outputs["escalate_to"],
                    requires={"reject": ["comment"]},
                    summary=f"{summary} (rule {hit.rule} of {route.table} v{route.version})",
                )
            )
            if decision.decision == "reject":
                return approved, decision
            approved.append(role)
        return approved, None

    # -- automated steps and notices ----------------------------------------------------

    def retry_policy(self) -> RetryPolicy:
        policy = self.context.activities
        return RetryPolicy(
            initial_interval=policy.initial_interval,
            backoff_coefficient=policy.backoff,
            maximum_interval=policy.maximum_interval,
            maximum_attempts=policy.maximum_attempts,
            non_retryable_error_types=errors.NON_RETRYABLE,
        )

    def system_decision(self, step: str, decision: str, comment: str = "") -> None:
        """Record a step the workflow decided by itself (a rule, not a person)."""
        now = workflow.now()
        self.log(f"{step}: {decision} {comment}".rstrip(), step=step)
        self._run.steps.append(
            StepRecord(
                step=step,
                performer="system",
                role="system",
                actor="system",
                decision=decision,
                opened_at=now,
                closed_at=now,
                waited_seconds=0.0,
                comment=comment,
            )
        )

    def booking_key(self, step: str) -> str:
        return f"{workflow.info().workflow_id}:{step}"

    async def book(self, step: str, activity: Any, arg: Any, summary: str) -> BookingOutput:
        """Run a booking activity as a system step (see `automated`)."""
        out: BookingOutput = await self.automated(step, activity, arg, summary)
        return out

    async def automated(
        self,
        step: str,
        activity: Any,
        arg: Any,
        summary: str,
        business_errors: tuple[str, ...] = (),
    ) -> Any:
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
        closed = workflow.now()
        self._run.steps.append(
            StepRecord(
                step=step,
                performer="system",
                role="system",
                actor="system",
                decision="done",
                opened_at=opened,
                closed_at=closed,
                waited_seconds=(closed - opened).total_seconds(),
                reference=getattr(out, "reference", None),
            )
        )
        self._run.current_step = None
        return out

    async def notify(
        self,
        kind: NotificationKind,
        recipient: str,
        subject: str,
        message: str,
        *,
        task_id: str | None = None,
        step: str | None = None,
        key_suffix: str = "",
    ) -> None:
        wf_id = workflow.info().workflow_id
        key = ":".join(p for p in (wf_id, kind, task_id or step or "", recipient, key_suffix) if p)
        await workflow.execute_activity_method(
            NotifierActivities.notify,
            NotifyInput(
                key=key,
                kind=kind,
                recipient=recipient,
                subject=subject,
                message=message,
                workflow_id=wf_id,
                task_id=task_id,
                step=step,
            ),
            task_queue=self.context.notifications_queue,
            start_to_close_timeout=NOTIFY_TIMEOUT,
            retry_policy=self.retry_policy(),
            summary=activity_summary(step or "finish", f"notify {recipient} ({kind})"),
        )

    def notify_soon(
        self,
        kind: NotificationKind,
        recipient: str,
        subject: str,
        message: str,
        *,
        task_id: str | None = None,
        step: str | None = None,
        key_suffix: str = "",
    ) -> None:
        """Send a notice without holding up the step: a person's decision is taken even
        while the notice is on its way. `flush_notices` waits for every one of them."""
        self._notices.append(
            asyncio.create_task(
                self.notify(kind, recipient, subject, message, task_id=task_id, step=step,
                            key_suffix=key_suffix)
            )
        )  # fmt: skip

    async def flush_notices(self) -> None:
        """Wait until every notice sent so far is delivered: before the run finishes,
        fails or continues as new, none may be left behind."""
        while self._notices:
            pending, self._notices = self._notices, []
            await asyncio.gather(*pending)

    async def finish(self, result_type: type[R], status: str, message: str, **fields: Any) -> R:
        """Tell the requester the outcome (unless `outcome_notice` is off, as for the
        stages of a process, whose process tells), deliver every notice, let running
        handlers end, return the result with every step recorded."""
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
        return result_type(
            status=status,
            started_at=workflow.info().start_time,
            finished_at=workflow.now(),
            steps=list(self._run.steps),
            **fields,
        )

    def log(self, message: str, step: str, warning: bool = False, **extra: Any) -> None:
        fields = {"step": step, **extra}
        if warning:
            workflow.logger.warning(message, extra=fields)
        else:
            workflow.logger.info(message, extra=fields)
