"""The state-machine mechanism: a workflow that moves through a `StateMachine` from its
input, one human step per state, written once for every state-machine workflow.

Each non-terminal state becomes a human step whose decisions are the state's legal
transitions (those a person may take, and that the workflow's guard allows). The update
validator therefore refuses an illegal transition, listing the legal ones, before
anything is written. `apply` takes a transition on the workflow's own account
(`system` transitions such as an immediate escalation).
"""

from __future__ import annotations

from collections.abc import Callable

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from valuechain.machines import SYSTEM, StateMachine, Transition
    from valuechain.models.machine import TransitionRecord

from workflows.human import HumanWorkflow
from workflows.human.flat import flattened
from workflows.human.system import R


def _any(_: Transition) -> bool:
    return True


@flattened
class MachineWorkflow(HumanWorkflow[R]):
    def __init__(self) -> None:
        HumanWorkflow.__init__(self)  # by name, not super(): see workflows/human/flat.py
        self._machine: StateMachine | None = None
        self._state = ""
        self._owner: str | None = None
        self._transitions: list[TransitionRecord] = []

    def start_machine(self, machine: StateMachine, owner: str | None = None) -> None:
        """Enter the initial state; `owner` is the person "owner" states are assigned to."""
        self._machine = machine
        self._owner = owner
        self._state = machine.initial
        self.set_stage(self._state)
        self.log(f"{machine.name} v{machine.version} starts in {self._state}", step=self._state)

    @property
    def machine(self) -> StateMachine:
        if self._machine is None:
            raise ApplicationError("state machine used before start_machine()", non_retryable=True)
        return self._machine

    @property
    def current_state(self) -> str:
        return self._state

    @property
    def finished(self) -> bool:
        return self._state in self.machine.terminal

    @property
    def transitions(self) -> list[TransitionRecord]:
        return list(self._transitions)

    def apply(
        self, decision: str, actor: str, comment: str = "", attachments: list[str] | None = None
    ) -> TransitionRecord:
        """Take the transition `decision` from the current state."""
        try:
            t = self.machine.transition(self._state, decision)
        except ValueError as err:
            raise ApplicationError(str(err), type="IllegalTransition", non_retryable=True) from err
        record = TransitionRecord(
            source=t.source,
            decision=t.decision,
            target=t.target,
            actor=actor,
            at=workflow.now(),
            comment=comment,
            attachments=attachments or [],
        )
        self._transitions.append(record)
        self._state = t.target
        self.set_stage(t.target)
        self.log(f"{t.source} --{t.decision}--> {t.target} by {actor}", step=t.source)
        return record

    async def advance(self, allow: Callable[[Transition], bool] = _any) -> TransitionRecord:
        """Wait for a person to take one legal transition out of the current state (or
        for the state's timeout decision), and take it."""
        state = self._state
        spec = self.machine.states[state]
        offered = [t for t in self.machine.legal(state) if t.role != SYSTEM and allow(t)]
        if not offered:
            raise ApplicationError(f"state '{state}' offers no transition", non_retryable=True)
        if spec.role is None or spec.escalate_to is None:  # the loader refuses such files
            raise ApplicationError(f"state '{state}' has no role", non_retryable=True)
        assignee = {"requester": self.requester, "owner": self._owner, None: None}[spec.assignee]
        decision = await self.human_step(
            self.spec(
                state,
                spec.role,
                [t.decision for t in offered],
                escalate_to=spec.escalate_to,
                assignee=assignee,
                four_eyes=spec.assignee != "requester",
                requires={t.decision: t.requires for t in offered if t.requires},
                decision_roles={t.decision: t.role for t in offered if t.role != spec.role},
                outcomes={t.decision: t.target for t in offered},
                timeout_decision=spec.timeout_decision,
            )
        )
        return self.apply(decision.decision, decision.actor, decision.comment, decision.attachments)
