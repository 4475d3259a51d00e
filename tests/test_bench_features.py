"""The benchmark's feature switches (`tests/bench/features.py`): measurement only."""

from __future__ import annotations

from typing import Any

import pytest
from temporalio import workflow

from tests.bench.features import SUMMARISED, _unsummarised, switch_off


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
