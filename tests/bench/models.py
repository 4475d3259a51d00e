"""What the benchmark's workflows (A and B alike) take and return, and their activities:
in a module of their own, passed through the sandbox as the project's models are."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity

from activities import Activities
from valuechain.models.common import Heading, Model, RunContext, WorkflowInput
from valuechain.models.result import RunResult

# The baseline's activity timeout (A's come from the run context's activity settings).
TIMEOUT = timedelta(seconds=30)


class Work(Model):
    n: int


class Done(Model):
    n: int


class BenchInput(WorkflowInput):
    steps: int
    context: RunContext | None = None

    def heading(self) -> Heading:
        return Heading(f"bench run of {self.steps} steps", "bench")


class BenchResult(RunResult):
    status: str
    done: int


class Decision(Model):
    step: str


class Step(Model):
    order_id: str
    stage: str


class BenchActivities:
    # A `def` on the activity threads, as every activity of the project's is.
    @activity.defn(name="bench_work")
    def work(self, input: Work) -> Done:
        return Done(n=input.n)


class BaselineActivities(Activities):
    @activity.defn(name="baseline_step")
    async def step(self, input: Step) -> str:
        return f"{input.order_id}:{input.stage}"
