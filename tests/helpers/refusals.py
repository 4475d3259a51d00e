"""Refusals as a user meets them: an update its validator refuses writes nothing to the
history, and a file a loader refuses is named in the message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError

from tests.helpers import history_length, until_idle
from tests.helpers.keys import signed
from valuechain.models.human import DecisionInput
from workflows.human import HumanWorkflow


async def refused(
    handle: WorkflowHandle[Any, Any], update: Any, arg: Any, moving: bool = False
) -> str:
    """Send an update its validator must refuse; return the refusal's message. Nothing
    may be written: no event at all, or, for a run that `moving` on by itself meanwhile,
    no accepted update."""
    before = await history_length(handle)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(update, arg)
    events = (await handle.fetch_history()).events[before:]
    if moving:
        accepted = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        assert all(e.event_type != accepted for e in events), f"{update} {arg} was accepted"
    else:
        assert not events, f"the refused {update} {arg} wrote history"
    return str(caught.value.cause)


async def refused_decision(
    handle: WorkflowHandle[Any, Any], decision: DecisionInput | Any, held_activity: str = ""
) -> str:
    """A decision the `decide` validator must refuse, sent once the run is idle (signed
    by the task list unless it carries a signature); the run goes on running."""
    await until_idle(handle, held_activity)
    if isinstance(decision, DecisionInput) and decision.signature is None:
        decision = signed(handle.id, decision)
    message = await refused(handle, HumanWorkflow.decide, decision)
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    return message


def file_refusal(load: Callable[[Path], object], path: Path, error: type[Exception]) -> str:
    """What `load` says when it refuses the file at `path`: a message that names it."""
    with pytest.raises(error) as caught:
        load(path)
    said = str(caught.value)
    assert str(path) in said, f"the refusal does not name {path}: {said}"
    return said
