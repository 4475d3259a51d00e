"""The human step's rules on their own, without a server: who may take which decision,
and what the clocks call for next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from valuechain.human_rules import NextTurn, next_turn, recipient, refusal, waits_on
from valuechain.models.common import ClockPolicy, Roster
from valuechain.models.human import DecisionInput, HumanStepSpec, OpenTask

OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
ROSTER = Roster(people={"maria": ["manager"], "dev": ["director"], "alice": ["employee"]})


def spec(**kw: object) -> HumanStepSpec:
    values: dict[str, object] = {
        "step": "manager_review", "role": "manager", "escalate_to": "director",
        "decisions": ["approve", "reject"], "requires": {"reject": ["comment"]},
        "clocks": ClockPolicy(due_after=4 * HOUR, remind_every=HOUR),
        "outcomes": {"approve": "approved"},
    }  # fmt: skip
    values.update(kw)
    return HumanStepSpec.model_validate(values)


def task(**kw: object) -> OpenTask:
    values: dict[str, object] = {
        "task_id": "manager_review-1", "step": "manager_review", "role": "manager",
        "assignee": None, "requester": "alice", "decisions": ["approve", "reject"],
        "opened_at": OPENED, "due_at": OPENED + 4 * HOUR, "summary": "expense",
    }  # fmt: skip
    values.update(kw)
    return OpenTask.model_validate(values)


def decide(actor: str, decision: str = "approve", **kw: object) -> DecisionInput:
    return DecisionInput.model_validate(
        {"task_id": "manager_review-1", "actor": actor, "decision": decision, **kw}
    )


@pytest.mark.parametrize(
    ("decision", "view", "why"),
    [
        (decide("maria"), task(), None),
        (decide("maria", "reject", comment="no receipt"), task(), None),
        (decide("maria", "send_back"), task(),
         "decision 'send_back' is not allowed at step 'manager_review'; allowed: approve ->"
         " approved, reject"),
        (decide("zoe"), task(), "actor 'zoe' is not in the roster"),
        (decide("dev"), task(),
         "actor 'dev' may not decide 'manager_review-1': waiting on role manager"),
        (decide("dev"), task(escalated_to="director"), None),  # escalated: the director may
        (decide("alice"), task(role="employee"),
         "actor 'alice' made this request and may not decide it (four-eyes)"),
        (decide("maria", "reject"), task(), "decision 'reject' at step 'manager_review' needs"
         " comment"),
        (decide("maria", scheduled_for=datetime(2026, 12, 1, 9, 0)), task(),
         "scheduled_for needs a time zone, for example 2026-12-01T09:00:00Z"),
        (decide("ben"), task(assignee="ben"), None),  # a named assignee, roster or not
    ],
)  # fmt: skip
def test_who_may_take_which_decision(
    decision: DecisionInput, view: OpenTask, why: str | None
) -> None:
    assert refusal(decision, spec(), view, None, ROSTER, "alice") == why


def test_a_decided_task_takes_no_second_decision() -> None:
    first = decide("maria")
    assert refusal(decide("maria"), spec(), task(), first, ROSTER, "alice") == (
        "task 'manager_review-1' was already decided: approve by maria"
    )


def test_a_decision_needing_another_role() -> None:
    needs = spec(decision_roles={"reject": "director"})
    why = refusal(decide("maria", "reject", comment="x"), needs, task(), None, ROSTER, "alice")
    assert why == "actor 'maria' may not decide 'manager_review-1': 'reject' needs role director"


@pytest.mark.parametrize(
    ("minutes", "reminders", "escalated", "times_out", "expected"),
    [
        (0, 0, False, False, NextTurn(None, OPENED + HOUR)),  # first reminder in an hour
        (60, 0, False, False, NextTurn("remind")),
        (61, 1, False, False, NextTurn(None, OPENED + 2 * HOUR)),
        (240, 3, False, False, NextTurn("escalate")),  # due: escalates before reminding
        (240, 4, True, False, NextTurn(None, OPENED + 5 * HOUR)),  # escalated: reminders only
        (300, 4, True, False, NextTurn("remind")),
        (240, 3, False, True, NextTurn("time_out")),  # a timeout decision instead
        (230, 3, False, False, NextTurn(None, OPENED + 4 * HOUR)),  # the due time comes first
    ],
)  # fmt: skip
def test_what_the_clocks_call_for(
    minutes: int, reminders: int, escalated: bool, times_out: bool, expected: NextTurn
) -> None:
    view = task(reminders_sent=reminders, escalated_to="director" if escalated else None)
    now = OPENED + timedelta(minutes=minutes)
    assert next_turn(now, OPENED, view, HOUR, times_out) == expected


def test_who_a_task_waits_on_and_whom_it_tells() -> None:
    assert waits_on(task()) == "waiting on role manager"
    assert waits_on(task(assignee="ben", escalated_to="director")) == (
        "waiting on ben (manager) or, escalated, role director"
    )
    assert recipient(task()) == "role:manager"
    assert recipient(task(assignee="ben")) == "ben"
    assert recipient(task(assignee="ben", escalated_to="director")) == "role:director"
