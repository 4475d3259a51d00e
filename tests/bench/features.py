"""Switching one of A's features off in a bench worker process, to measure what it costs
(`python -m tests.bench --features`). Measurement only: the product has no such switch,
since a run without its notices or its published stage is not a Valuechain run.

The mechanisms are passed through the sandbox (`workflows.PASSED_THROUGH`), so a class
changed here is the one every run in this process uses, sandboxed or not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workflows.human.publish import Publishing
from workflows.human.run import RunBase

FEATURES = ("notices", "publishing")


async def _no_notice(self: Any, *_: Any) -> None:
    """The notice is neither recorded (its local activity's marker) nor sent."""


def _no_publication(self: Any, *_: Any) -> None:
    """No search attribute upsert and no memo change (each a history event)."""


def switch_off(features: Iterable[str]) -> None:
    for feature in features:
        if feature == "notices":
            RunBase._send_notice = _no_notice  # type: ignore[method-assign,assignment]
        elif feature == "publishing":
            Publishing._publish_stage = _no_publication  # type: ignore[method-assign,assignment]
            Publishing._upsert = _no_publication  # type: ignore[method-assign,assignment]
        else:
            raise ValueError(f"no feature {feature!r} to switch off; known: {FEATURES}")
