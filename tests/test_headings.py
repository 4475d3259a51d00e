"""Every workflow's input says what its run is about (`heading`): the subject, requester
and amount its record, the Web UI and its notices show. An input class without one
cannot be made, so a workflow cannot start a run it could not head."""

from __future__ import annotations

import inspect
import typing

import pytest

from valuechain.models.common import WorkflowInput
from workers.registry import ALL_WORKFLOWS, type_name


@pytest.mark.parametrize("workflow_class", ALL_WORKFLOWS, ids=type_name)
def test_every_workflow_input_has_a_heading(workflow_class: type) -> None:
    input_type = typing.get_type_hints(vars(workflow_class)["run"])["input"]
    assert issubclass(input_type, WorkflowInput)
    assert not inspect.isabstract(input_type), input_type.__abstractmethods__


def test_an_input_without_a_heading_cannot_be_made() -> None:
    class Headless(WorkflowInput):
        context: None = None

    with pytest.raises(TypeError, match="abstract method heading"):
        Headless()  # type: ignore[abstract]  # the type checker refuses it too
