"""State machines as data: states, the transitions between them (state + decision ->
next state), the role allowed to take each, and the terminal states.

A machine is loaded from TOML and checked then: an unknown state, a state no path
reaches, a non-terminal state with no way out, a terminal state with a way out, two
transitions for the same decision from one state, or a timeout decision that is not a
transition are errors naming the problem. The checked machine travels in the workflow
input, like a decision table, so a run keeps the machine it started with.

Transitions whose role is `system` are taken by the workflow itself (a safety ticket
escalated at once, a step past its due time), never offered to a person.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, ValidationError, model_validator

from valuechain.datafiles import read_toml
from valuechain.models.common import NAME_PATTERN, Model
from valuechain.validation import describe_validation_error

SYSTEM = "system"


class MachineError(ValueError):
    """A machine file that cannot be used."""


class StateDef(Model):
    # Whom the state's step waits on; a named person when `assignee` is set.
    role: str | None = None
    escalate_to: str | None = None
    # "requester": the person who made the request; "owner": the person the workflow
    # assigned (a ticket's agent). Such a step is decided by that person by name.
    assignee: Literal["requester", "owner"] | None = None
    # At the due time the system takes this transition instead of only escalating.
    timeout_decision: str | None = None
    description: str = ""


class Transition(Model):
    source: str
    decision: str = Field(pattern=NAME_PATTERN)
    target: str
    role: str
    requires: list[Literal["comment", "attachments", "scheduled_for"]] = []


class StateMachine(Model):
    name: str = Field(pattern=NAME_PATTERN)
    version: str = Field(min_length=1)
    initial: str
    terminal: list[str] = Field(min_length=1)
    states: dict[str, StateDef]
    transitions: list[Transition] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Self:
        known = set(self.states)

        def must_know(state: str, where: str) -> None:
            if state not in known:
                raise ValueError(f"{where}: unknown state '{state}' (states: {', '.join(known)})")

        must_know(self.initial, "initial")
        for state in self.terminal:
            must_know(state, "terminal")
        seen: set[tuple[str, str]] = set()
        for i, t in enumerate(self.transitions, start=1):
            where = f"transition {i} ({t.source} --{t.decision}--> {t.target})"
            must_know(t.source, where)
            must_know(t.target, where)
            if (t.source, t.decision) in seen:
                raise ValueError(f"{where}: '{t.decision}' from '{t.source}' is defined twice")
            seen.add((t.source, t.decision))
            if t.source in self.terminal:
                raise ValueError(f"{where}: '{t.source}' is terminal and cannot be left")
        for name, spec in self.states.items():
            if name in self.terminal:
                continue
            out = self.legal(name)
            if not out:
                raise ValueError(f"state '{name}' is not terminal and has no transition out")
            if any(t.role != SYSTEM for t in out) and not (spec.role and spec.escalate_to):
                raise ValueError(f"state '{name}' waits on a person: it needs role and escalate_to")
            if spec.timeout_decision and spec.timeout_decision not in {t.decision for t in out}:
                raise ValueError(
                    f"state '{name}': timeout_decision '{spec.timeout_decision}' is not a"
                    f" transition out of it"
                )
        reached, frontier = {self.initial}, [self.initial]
        while frontier:
            for t in self.legal(frontier.pop()):
                if t.target not in reached:
                    reached.add(t.target)
                    frontier.append(t.target)
        unreachable = sorted(known - reached)
        if unreachable:
            raise ValueError(f"unreachable from '{self.initial}': {', '.join(unreachable)}")
        return self

    def legal(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == state]

    def transition(self, state: str, decision: str) -> Transition:
        for t in self.legal(state):
            if t.decision == decision:
                return t
        legal = ", ".join(f"{t.decision} -> {t.target}" for t in self.legal(state)) or "none"
        raise ValueError(f"no transition '{decision}' from '{state}'; legal: {legal}")


def load_machine(path: str | Path) -> StateMachine:
    data = read_toml(path, "state machine file", MachineError)
    try:
        return StateMachine.model_validate(data)
    except ValidationError as err:
        message = describe_validation_error(f"state machine file {path}", err)
        raise MachineError(message.replace("Value error, ", "")) from err
