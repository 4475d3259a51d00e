"""The benchmark's replay figure (`tests/bench/replay.py`): a run's workflow-side CPU,
measured only from a history that replays."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowHistory
from temporalio.workflow import NondeterminismError

from tests.bench.replay import replay_cpu_ms
from tests.helpers.history import ERAS, recorded_history
from valuechain.settings import Settings

PLAIN = Settings.from_env({"VALUECHAIN_ENCRYPTION": "false"})


def recorded(name: str) -> WorkflowHistory:
    return recorded_history(next(p for era in reversed(ERAS) for p in era.glob(f"{name}@*.json")))


async def test_an_order_replays_and_its_cpu_is_measured() -> None:
    # Every copy keeps the order's id: its stages' ids are made from it.
    assert await replay_cpu_ms(recorded("o2c"), 2, PLAIN) > 0


async def test_a_history_that_does_not_replay_gives_no_figure() -> None:
    credit = recorded("o2c-credit_check")
    # The credit check's history under the pick-and-pack's type: its commands differ.
    started = credit.events[0].workflow_execution_started_event_attributes
    started.workflow_type.name = "PickPack"
    with pytest.raises(NondeterminismError, match="does not match"):
        await replay_cpu_ms(credit, 2, PLAIN)
