"""The human step: a task opened, its people notified, reminders and escalation on
durable timers, and the `decide` update whose validator refuses a bad decision before
anything is written; the `state` query shows where the run is."""

from __future__ import annotations

import contextlib
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from valuechain.human_rules import next_turn, recipient, refusal, waits_on
    from valuechain.identity.signing import signature_refusal
    from valuechain.messages import Raw, parse
    from valuechain.models.common import KeyKind, Model, Signature
    from valuechain.models.human import (
        DecisionInput,
        DecisionOutput,
        HumanStepSpec,
        OpenTask,
        StepRecord,
        WorkflowState,
    )

from workflows.human.run import RunBase, _Task


class HumanSteps(RunBase):
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
        self.check_signed(input, input.signature, input.task_id, "decision", ("tasklist", "admin"))
        why = refusal(
            input, task.spec, task.view, task.decision, self.context.people, self._run.requester
        )
        if why is not None:
            raise ValueError(why)

    def check_signed(
        self,
        message: Model,
        signature: Signature | None,
        subject: str,
        what: str,
        kinds: tuple[KeyKind, ...] = ("partner", "admin"),
    ) -> None:
        """Refuse (in a validator: nothing written) a message not signed for this run and
        `subject`, recently, by a key of `kinds` this run trusts."""
        if self._context is None:  # in the run's first moment, before run() took its input
            raise ValueError(f"the run is starting; send the {what} again in a moment")
        why, _ = signature_refusal(
            signature,
            message,
            workflow.info().workflow_id,
            subject,
            self.context.trust,
            workflow.now(),
            what,
            kinds,
        )
        if why is not None:
            raise ValueError(why)

    def _signer(self, decision: DecisionInput) -> str | None:
        key = decision.signature and self.context.trust.key(decision.signature.key_id)
        return f"{key.kind}:{key.holder}" if key else None

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
            trusted_keys=[k.key_id for k in self._context.trust.keys] if self._context else [],
        )

    # -- the human step -----------------------------------------------------------------

    async def human_step(self, spec: HumanStepSpec) -> DecisionInput:
        """Open a task, remind and escalate on durable timers, return the decision."""
        # A run given no roster could check no decision: it fails here, not the decider.
        self.context.people  # noqa: B018
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
            requires=spec.requires,
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
                signed_by=self._signer(decision),
                signed_with=decision.signature.key_id if decision.signature else None,
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

    def approval_spec(self, step: str, role: str, escalate_to: str, **kw: Any) -> HumanStepSpec:
        """An approve-or-reject step; a rejection needs a comment (the requester is told
        why)."""
        kw.setdefault("requires", {"reject": ["comment"]})
        return self.spec(step, role, ["approve", "reject"], escalate_to=escalate_to, **kw)

    async def approval(self, step: str, role: str, escalate_to: str, **kw: Any) -> DecisionInput:
        return await self.human_step(self.approval_spec(step, role, escalate_to, **kw))

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
