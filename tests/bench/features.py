"""Switching one of A's features off in a bench worker process, to measure what it costs
(`python -m tests.bench --features`). Measurement only: the product has no such switch,
since a run without its notices or its published stage is not a Valuechain run.

The mechanisms are passed through the sandbox (`workflows.PASSED_THROUGH`), so a class
changed here is the one every run in this process uses, sandboxed or not. Each class a
workflow builds on is one class with its own copy of every member of the human step
(`workflows.human.flat`): a switch changes each of them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from temporalio import workflow

from workflows.human import HumanWorkflow
from workflows.order_to_cash.events import OrderEvents
from workflows.order_to_cash.stage import OrderStage
from workflows.parallel import ParallelWorkflow

FEATURES = ("notices", "publishing", "summaries")
# The classes A's workflows are built on (a test keeps it so).
BUILT_ON: tuple[type, ...] = (HumanWorkflow, ParallelWorkflow, OrderEvents, OrderStage)
# The calls by which workflow code gives the Web UI a summary (each a payload in a
# command's user metadata), and the argument that carries it.
SUMMARISED = {
    "execute_activity_method": "summary",
    "execute_local_activity_method": "summary",
    "start_child_workflow": "static_summary",
    "execute_child_workflow": "static_summary",
    "sleep": "summary",
    "wait_condition": "timeout_summary",
}


async def _no_notice(self: Any, *_: Any) -> None:
    """The notice is neither recorded (its local activity's marker) nor sent."""


def _no_publication(self: Any, *_: Any) -> None:
    """No search attribute upsert and no memo change (each a history event)."""


def _unsummarised(call: Callable[..., Any], argument: str) -> Callable[..., Any]:
    """The SDK's call without its summary: the command carries no user metadata."""

    @functools.wraps(call)
    def without(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop(argument, None)
        return call(*args, **kwargs)

    return without


# What switching a feature off puts in place of the mechanisms' members.
REPLACED: dict[str, dict[str, Callable[..., Any]]] = {
    "notices": {"_send_notice": _no_notice},
    "publishing": {"_publish_stage": _no_publication, "_upsert": _no_publication},
}


def switch_off(features: Iterable[str]) -> None:
    for feature in features:
        if feature in REPLACED:
            for cls in BUILT_ON:
                for name, replacement in REPLACED[feature].items():
                    setattr(cls, name, replacement)
        elif feature == "summaries":
            # The SDK's module is passed through the sandbox: every run sees this one.
            for name, argument in SUMMARISED.items():
                setattr(workflow, name, _unsummarised(getattr(workflow, name), argument))
        else:
            raise ValueError(f"no feature {feature!r} to switch off; known: {FEATURES}")
