"""What every workflow with people in the loop keeps and shows: its subject, requester,
stage and steps (published as search attributes, the Web UI's details and a memo), its
run context, and its notices, sent without holding up the step and flushed before it ends."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError

with workflow.unsafe.imports_passed_through():
    from activities.notifier import NotifierActivities
    from activities.setup import SetupActivities
    from valuechain import search
    from valuechain.models.common import ActivityPolicy, Heading, RunContext, WorkflowInput, loaded
    from valuechain.models.human import DecisionInput, HumanStepSpec, OpenTask, StepRecord
    from valuechain.models.notify import NotificationKind, NotifyInput
    from valuechain.steps import activity_summary

from workflows.human.publish import Publishing

NOTIFY_TIMEOUT = timedelta(seconds=10)
# Loading a run's context comes before the run has its own retry policy: the defaults.
_DEFAULT_POLICY = ActivityPolicy()
SETUP_TIMEOUT = _DEFAULT_POLICY.start_to_close
SETUP_RETRY = _DEFAULT_POLICY.retry_policy()

In = TypeVar("In", bound=WorkflowInput)


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


class RunBase(Publishing):
    """The run's record and what it publishes; the steps build on it."""

    outcome_notice = True  # a process's stages leave the customer's notice to the process

    def __init__(self) -> None:
        Publishing.__init__(self)  # by name, not super(): see workflows/human/flat.py
        self._run = _RunState()
        self._context: RunContext | None = None
        self._notices: list[asyncio.Task[None]] = []

    # -- set-up -----------------------------------------------------------------------

    async def begin(self, input: In, heading: Heading | None = None) -> In:
        """Start the run's record, headed as its input says (or as `heading`, where one
        input serves several workflows); returns the input whole. A run started without
        (some of) its context has its worker load it first: one activity, recorded in the
        history, so the run keeps those rules for its life and replays with them."""
        heading = heading or input.heading()
        wants = input.missing()
        if wants is not None:
            setup = await workflow.execute_activity_method(
                SetupActivities.load_run_setup,
                wants,
                start_to_close_timeout=SETUP_TIMEOUT,
                retry_policy=SETUP_RETRY,
                summary="load the run context from the worker's settings",
            )
            input = input.completed(setup.context, setup.parts())
        self._run.subject = heading.subject
        self._run.requester = heading.requester
        self._run.status = "running"
        self._context = loaded(input.context)
        self.publish_once(self._context.publication == "per_task")
        if heading.amount is not None:
            self.tag(search.AMOUNT.value_set(float(heading.amount)))
        self.log(f"started: {heading.subject}", step="start")
        return input

    def waiting(self) -> tuple[list[str], list[str]]:
        waiting: list[str] = []
        named: list[str] = []  # people a task is assigned to by name, as "person:<name>"
        for tid in self._open_task_ids():
            view = self._run.tasks[tid].view
            for role in (view.role, view.escalated_to):
                if role and role not in waiting:
                    waiting.append(role)
            if view.assignee and search.person(view.assignee) not in named:
                named.append(search.person(view.assignee))
        return waiting, named

    def summary_line(self) -> str:
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

    def _open_task_ids(self) -> list[str]:
        return [tid for tid, t in self._run.tasks.items() if t.decision is None]

    def retry_policy(self) -> RetryPolicy:
        return self.context.activities.retry_policy()

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
        try:
            await self._send_notice(key, kind, recipient, subject, message, task_id, step)
        except ActivityError as err:
            if isinstance(err.cause, CancelledError):
                raise
            # A notice its activity could not deliver (a mail server down through every
            # retry) must not fail the business process: say so and go on.
            why = getattr(err.cause, "message", None) or str(err)
            self.log(f"notice to {recipient} not delivered: {why}", step or "finish", True)

    async def _send_notice(
        self,
        key: str,
        kind: NotificationKind,
        recipient: str,
        subject: str,
        message: str,
        task_id: str | None,
        step: str | None,
    ) -> None:
        notice = NotifyInput(
            key=key,
            kind=kind,
            recipient=recipient,
            subject=subject,
            message=message,
            workflow_id=workflow.info().workflow_id,
            task_id=task_id,
            step=step,
        )
        if self.context.notice_delivery == "local":
            # One marker event, no workflow task of its own; the mailer mails it.
            await workflow.execute_local_activity_method(
                NotifierActivities.record_notice,
                notice,
                start_to_close_timeout=NOTIFY_TIMEOUT,
                retry_policy=self.retry_policy(),
                summary=activity_summary(step or "finish", f"notify {recipient} ({kind})"),
            )
            return
        await workflow.execute_activity_method(
            NotifierActivities.notify,
            notice,
            task_queue=self.context.notifications_queue,
            start_to_close_timeout=NOTIFY_TIMEOUT,
            retry_policy=self.retry_policy(),
            summary=activity_summary(step or "finish", f"notify {recipient} ({kind})"),
        )

    def notify_soon(
        self, kind: NotificationKind, recipient: str, subject: str, message: str, **at: str
    ) -> None:
        """Send a notice without holding up the step: a person's decision is taken even
        while the notice is on its way. `flush_notices` waits for every one of them.
        `at`: where it comes from, as `notify` takes it (task_id, step, key_suffix)."""
        self._notices.append(
            asyncio.create_task(self.notify(kind, recipient, subject, message, **at))
        )

    async def flush_notices(self) -> None:
        """Wait until every notice sent so far is delivered: before the run finishes,
        fails or continues as new, none may be left behind."""
        while self._notices:
            pending, self._notices = self._notices, []
            await asyncio.gather(*pending)

    def log(self, message: str, step: str, warning: bool = False, **extra: Any) -> None:
        fields = {"step": step, **extra}
        if warning:
            workflow.logger.warning(message, extra=fields)
        else:
            workflow.logger.info(message, extra=fields)
