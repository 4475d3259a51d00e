"""The benchmark's feature switches (`tests/bench/features.py`): measurement only."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio import workflow

from tests.bench.features import (
    BUILT_ON,
    REPLACED,
    SUMMARISED,
    _no_notice,
    _no_publication,
    _unsummarised,
    switch_off,
)


def test_a_call_without_summaries_keeps_every_other_argument() -> None:
    seen: dict[str, Any] = {}

    def call(*args: Any, **kwargs: Any) -> str:
        seen.update(args=args, kwargs=kwargs)
        return "scheduled"

    without = _unsummarised(call, "summary")
    assert without("act", 1, summary="pay: 12 EUR", task_queue="q") == "scheduled"
    assert seen == {"args": ("act", 1), "kwargs": {"task_queue": "q"}}


def test_every_summarised_call_is_one_the_sdk_has() -> None:
    # A renamed SDK call would leave its summaries on and the measurement wrong.
    for name in SUMMARISED:
        assert callable(getattr(workflow, name)), name


def test_an_unknown_feature_is_named() -> None:
    with pytest.raises(ValueError, match=r"no feature 'sumaries'.*summaries"):
        switch_off(["sumaries"])


def test_a_switch_reaches_every_class_a_bench_workflow_builds_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each holds its own copy of the human step's members (`workflows.human.flat`): a
    class the switch missed would measure A with the feature still on."""
    from tests.bench.worker import WORKFLOWS

    assert {w.__mro__[1] for w in WORKFLOWS} - {object} == set(BUILT_ON)
    for cls in BUILT_ON:  # put back after the test: the other tests run every feature
        for name in (n for names in REPLACED.values() for n in names):
            monkeypatch.setattr(cls, name, vars(cls)[name])
    switch_off(["notices", "publishing"])
    switched = [w for w in WORKFLOWS if w.__mro__[1] in BUILT_ON]
    assert len(switched) == len(WORKFLOWS) - 5  # B's five are built on nothing
    for w in switched:
        members = [getattr(w, n) for n in ("_send_notice", "_publish_stage", "_upsert")]
        assert members == [_no_notice, _no_publication, _no_publication], w
