"""The figures a process owner asks for, folded from runs' facts one run at a time, so
a window of 10,000 workflows needs no more memory than its figures: per step, per
workflow type, per process (its stages, its bottleneck)."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from valuechain.costs import CostTable
from valuechain.insight.facts import ActivityCounts, RunFacts, StepFacts
from valuechain.insight.figures import ProcessReport, Report, Spread, StepReport, TypeReport


@dataclass
class StepFigures:
    performers: set[str] = field(default_factory=set)
    durations: list[float] = field(default_factory=list)
    handoff_delays: list[float] = field(default_factory=list)
    handoffs: int = 0
    reminders: int = 0
    escalations: int = 0
    activities: ActivityCounts = field(default_factory=ActivityCounts)
    open_ages: list[float] = field(default_factory=list)  # tasks open now: waiting so far


@dataclass
class TypeFigures:
    runs: int = 0
    open: int = 0
    failed: int = 0
    unread: int = 0  # runs without a result whose `state` no worker answered
    cycle: list[float] = field(default_factory=list)
    human_steps: int = 0
    system_steps: int = 0
    within_due: int = 0
    judged: int = 0  # completed runs with steps, those the due-time share is over
    activities: ActivityCounts = field(default_factory=ActivityCounts)
    costs: list[Decimal] = field(default_factory=list)
    steps: dict[str, StepFigures] = field(default_factory=lambda: defaultdict(StepFigures))
    stages: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Tally:
    """What a completed run's steps add up to: people's steps, system steps, cost."""

    human: int = 0
    system: int = 0
    cost: Decimal = Decimal(0)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.human + other.human, self.system + other.system, self.cost + other.cost)


class Insight:
    """Folds runs in; `report` gives the figures. A completed process's tally (automation
    share, cost) is its own steps' plus those of the child workflows it started, its
    stages: only the tallies of runs that are part of a process are kept until the end."""

    def __init__(self, costs: CostTable | None = None) -> None:
        self.costs = costs if costs is not None and not costs.empty else None
        self.types: dict[str, TypeFigures] = defaultdict(TypeFigures)
        self._own: dict[str, Tally] = {}  # runs in a process: their own steps' tally
        self._kids: dict[str, tuple[str, list[str]]] = {}  # a process run: type, children

    def add(self, run: RunFacts) -> None:
        fig = self.types[run.workflow_type]
        fig.runs += 1
        for step, counts in run.activities.items():
            fig.activities.add(counts)
            fig.steps[step].activities.add(counts)
        for stage in run.stages:
            if stage.finished is not None:
                fig.stages[stage.name].append(_seconds(stage.finished, stage.started))
        if run.closed is None:
            fig.open += 1
        elif not run.completed:
            fig.failed += 1
        if run.result is None:
            fig.unread += 0 if run.completed else 1
            return
        steps = run.steps()
        tally = self._fold_steps(fig, run.workflow_type, steps)
        if run.closed is None and run.as_of is not None:
            for task in run.open_tasks():
                fig.steps[task.step].open_ages.append(_seconds(run.as_of, task.opened_at))
        if not run.completed or run.closed is None:
            return
        fig.cycle.append(_seconds(run.closed, run.started))
        if steps:
            fig.judged += 1
            fig.within_due += 0 if any(s.late for s in steps) else 1
        if run.children:
            self._own[run.workflow_id] = tally
            self._kids[run.workflow_id] = (run.workflow_type, [c.workflow_id for c in run.children])
            return
        if self.costs is not None:
            fig.costs.append(tally.cost)
        if run.parent_id is not None:
            self._own[run.workflow_id] = tally

    def _fold_steps(self, fig: TypeFigures, wf_type: str, steps: list[StepFacts]) -> Tally:
        previous: StepFacts | None = None
        tally = Tally()
        for s in steps:
            sf = fig.steps[s.step]
            sf.performers.add(s.performer)
            sf.durations.append(_seconds(s.closed_at, s.opened_at))
            if previous is not None:
                sf.handoff_delays.append(max(0.0, _seconds(s.opened_at, previous.closed_at)))
                if s.actor != previous.actor:
                    sf.handoffs += 1
            sf.reminders += s.reminders_sent
            sf.escalations += 1 if s.late else 0
            if s.performer == "system":
                fig.system_steps += 1
                tally.system += 1
            else:
                fig.human_steps += 1
                tally.human += 1
            if self.costs is not None:
                tally.cost += self.costs.of(wf_type, s.step)
            previous = s
        return tally

    def _total(self, workflow_id: str) -> Tally:
        total = self._own.get(workflow_id, Tally())
        for kid in self._kids.get(workflow_id, ("", []))[1]:
            total = total + self._total(kid)
        return total

    def report(self) -> Report:
        # A process's tally is known once all its stages are in: summed here, not kept.
        process_steps: dict[str, Tally] = defaultdict(Tally)
        process_costs: dict[str, list[Decimal]] = defaultdict(list)
        for wf_id, (wf_type, _) in self._kids.items():
            tally = self._total(wf_id)
            process_steps[wf_type] = process_steps[wf_type] + tally
            if self.costs is not None:
                process_costs[wf_type].append(tally.cost)
        out = Report(currency=self.costs.currency if self.costs else None)
        for name, fig in sorted(self.types.items()):
            total = fig.human_steps + fig.system_steps
            entry = TypeReport(
                runs=fig.runs, running=fig.open, not_completed=fig.failed,
                steps_unread=fig.unread,
                cycle_seconds=_spread(fig.cycle),
                automation_share=fig.system_steps / total if total else None,
                within_due_share=fig.within_due / fig.judged if fig.judged else None,
                **_rates(fig.activities),
                cost_per_transaction=_mean(fig.costs + process_costs[name]),
                steps={step: self._step(name, step, sf) for step, sf in fig.steps.items()},
            )  # fmt: skip
            if fig.stages:
                medians = {stage: statistics.median(v) for stage, v in fig.stages.items()}
                tally = process_steps[name]
                steps = tally.human + tally.system
                entry.process = ProcessReport(
                    stage_median_seconds=medians,
                    bottleneck=max(medians, key=lambda s: medians[s]),
                    end_to_end_seconds=_spread(fig.cycle),
                    # over every step of the completed runs and their stages
                    automation_share=tally.system / steps if steps else None,
                )
            out.workflow_types[name] = entry
        return out

    def _step(self, wf_type: str, step: str, sf: StepFigures) -> StepReport:
        cost = self.costs.of(wf_type, step) if self.costs else Decimal(0)
        return StepReport(
            performer="/".join(sorted(sf.performers)) or "-",
            completion_seconds=_spread(sf.durations),
            handoff_delay_seconds=_spread(sf.handoff_delays),
            handoffs=sf.handoffs,
            reminders=sf.reminders,
            escalations=sf.escalations,
            **_rates(sf.activities),
            open_now=len(sf.open_ages),
            open_waiting_seconds=_spread(sf.open_ages),
            cost=str(cost) if cost else None,
        )


def _mean(amounts: list[Decimal]) -> str | None:
    if not amounts:
        return None
    mean = sum(amounts, Decimal(0)) / len(amounts)
    return str(mean.quantize(Decimal("0.01")))


def _spread(values: list[float]) -> Spread | None:
    if not values:
        return None
    return Spread(median=statistics.median(values), p90=_pct(values, 0.9), n=len(values))


def _rates(counts: ActivityCounts) -> dict[str, float | int | None]:
    n = counts.activities
    return {
        "activities": n,
        "activity_error_rate": counts.failed / n if n else None,
        "activity_retry_rate": counts.retried / n if n else None,
        "activities_retrying_now": counts.retrying,
    }


def _seconds(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds()


def _pct(values: list[float], p: float) -> float:
    """The nearest-rank percentile: the smallest value with at least p of them at or
    below it (p90 of ten values is the ninth)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]
