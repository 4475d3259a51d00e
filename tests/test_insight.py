"""The insight engine without a server (`valuechain/insight/`): folding many runs in little
memory, a process adding up its stages in any order, the nearest-rank p90, and steps read
by the models that record them."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from valuechain.costs import CostTable
from valuechain.insight.engine import Insight
from valuechain.insight.facts import ActivityCounts, Child, RunFacts, Stage


def test_ten_thousand_runs_fold_in_little_memory() -> None:
    """The report keeps figures, not histories: folding 10,000 runs (what paging through
    a large window hands it one by one) stays within a few megabytes."""
    start = datetime(2026, 11, 1, tzinfo=UTC)

    def run(i: int) -> RunFacts:
        steps = []
        t = start
        for name, performer, actor in (("review", "human", f"p{i % 7}"),
                                       ("book", "system", "system")):  # fmt: skip
            opened, t = t, t + timedelta(seconds=60 + i % 13)
            steps.append(
                {
                    "step": name,
                    "performer": performer,
                    "actor": actor,
                    "opened_at": opened.isoformat(),
                    "closed_at": t.isoformat(),
                    "reminders_sent": i % 2,
                    "escalated_to": None,
                    "timed_out": False,
                }
            )
        counts = {"review": ActivityCounts(2, 0, 0), "book": ActivityCounts(2, 0, int(i % 5 == 0))}
        return RunFacts(f"w{i}", "Bench", "completed", start, t, {"steps": steps}, counts)

    tracemalloc.start()
    insight = Insight()
    for i in range(10_000):
        insight.add(run(i))
    report = insight.report().model_dump()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert report["workflow_types"]["Bench"]["runs"] == 10_000
    assert report["workflow_types"]["Bench"]["automation_share"] == 0.5
    assert report["workflow_types"]["Bench"]["activity_retry_rate"] == 2_000 / 40_000
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_a_process_adds_up_its_stages_in_whatever_order_they_are_read() -> None:
    """A process's cost and automation share include its stages' steps and theirs in
    turn, whether visibility hands the process over before or after its stages."""
    at = datetime(2026, 11, 1, tzinfo=UTC)

    def step(name: str, performer: str) -> dict[str, Any]:
        return {"step": name, "performer": performer, "actor": performer,
                "opened_at": at.isoformat(), "closed_at": at.isoformat()}  # fmt: skip

    def run(wf_id: str, wf_type: str, steps: list[dict[str, Any]], parent: str | None,
            children: list[str]) -> RunFacts:  # fmt: skip
        return RunFacts(wf_id, wf_type, "completed", at, at + timedelta(seconds=9),
                        {"steps": steps}, parent_id=parent,
                        children=[Child(c, "r", "Stage", "q") for c in children])  # fmt: skip

    process = run("p", "Process", [step("approve", "human")], None, ["p-a", "p-b"])
    process.stages = [Stage("a", at, at + timedelta(seconds=2)),
                      Stage("b", at, at + timedelta(seconds=7))]  # fmt: skip
    stage_a = run("p-a", "Stage", [step("book", "system")], "p", [])
    stage_b = run("p-b", "Stage", [step("check", "human")], "p", ["p-b-x"])
    grandchild = run("p-b-x", "Sub", [step("book", "system")], "p-b", [])
    costs = CostTable.model_validate({"steps": {"approve": "5", "book": "0.5", "check": "2"}})
    for order in ([process, stage_a, stage_b, grandchild], [grandchild, stage_b, stage_a, process]):
        report = Insight(costs)
        for facts in order:
            report.add(facts)
        figures = report.report().model_dump()["workflow_types"]
        assert figures["Process"]["cost_per_transaction"] == "8.00"  # 5 + 0.5 + 2 + 0.5
        assert figures["Stage"]["cost_per_transaction"] == "1.50"  # (0.5 + 2.5) / 2
        assert figures["Process"]["automation_share"] == 0.0  # its own step: a person's
        # approve (a person), book, check (a person), book: half by the system
        assert figures["Process"]["process"]["automation_share"] == 0.5
        assert figures["Process"]["process"]["bottleneck"] == "b"


def test_p90_is_the_nearest_rank() -> None:
    """Ten steps taking 1 to 10 seconds: the median is 5.5 s, the p90 the ninth, 9 s."""
    at = datetime(2026, 11, 1, tzinfo=UTC)
    insight = Insight()
    for seconds in range(1, 11):
        step = {"step": "review", "performer": "human", "actor": "maria",
                "opened_at": at.isoformat(),
                "closed_at": (at + timedelta(seconds=seconds)).isoformat()}  # fmt: skip
        insight.add(RunFacts(f"w{seconds}", "T", "completed", at, at, {"steps": [step]}))
    spread = insight.report().workflow_types["T"].steps["review"].completion_seconds
    assert spread is not None
    assert (spread.median, spread.p90, spread.n) == (5.5, 9.0, 10)


def test_the_report_reads_steps_by_the_models_that_record_them() -> None:
    """The fields the figures read are StepRecord's and OpenTask's, with their types; and
    a step without one is an error, not a wrong figure."""
    from pydantic import ValidationError

    from valuechain.insight.facts import StepFacts, TaskFacts
    from valuechain.models.human import OpenTask, StepRecord

    for facts, model in ((StepFacts, StepRecord), (TaskFacts, OpenTask)):
        for name, f in facts.model_fields.items():
            assert name in model.model_fields, (model, name)
            assert f.annotation == model.model_fields[name].annotation, (model, name)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    renamed = {"step": "review", "performer": "human", "actor": "maria",
               "opened_at": at.isoformat(), "ended_at": at.isoformat()}  # fmt: skip
    with pytest.raises(ValidationError, match="closed_at"):
        Insight().add(RunFacts("w", "T", "completed", at, at, {"steps": [renamed]}))
