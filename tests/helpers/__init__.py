"""Shared test helpers: run contexts with short clocks, workers, waiting on state."""

from __future__ import annotations

import asyncio
import typing
import uuid
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import activity
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.helpers.keys import TRUST, key_files, signed
from valuechain.models.common import ActivityPolicy, ClockPolicy, NoticeDelivery, RunContext
from valuechain.models.human import DecisionInput, DecisionOutput, OpenTask, WorkflowState
from valuechain.records.store import SystemOfRecord
from valuechain.runcontext import load_roster
from valuechain.settings import Settings
from workers.registry import ALL_WORKFLOWS, SERVICES, WORKFLOW_INTERCEPTORS, WORKFLOW_RUNNER
from workflows.human import HumanWorkflow

LONG = timedelta(hours=1)
# The threads test workers run their (blocking, database) activities on.
ACTIVITY_THREADS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="test-activity")
WAIT_LIMIT = 30.0  # seconds a test waits for a state before it fails

T = TypeVar("T")
In = TypeVar("In")
Out = TypeVar("Out")


def run_context(
    task_queue: str,
    due: timedelta = LONG,
    remind: timedelta = LONG,
    max_attempts: int = 5,
    notices: NoticeDelivery = "local",
) -> RunContext:
    """The shipped roster, the given clocks, quick retries; notices recorded by the run's
    own worker (as the settings have it), or sent on `task_queue` (`queue`)."""
    return RunContext(
        roster=load_roster(),
        clocks=ClockPolicy(due_after=due, remind_every=remind),
        activities=ActivityPolicy(
            start_to_close=timedelta(seconds=10),
            initial_interval=timedelta(milliseconds=100),
            backoff=1.5,
            maximum_interval=timedelta(seconds=1),
            maximum_attempts=max_attempts,
        ),
        notifications_queue=task_queue,
        notice_delivery=notices,
        publication="per_task",
        trust=TRUST,
    )


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def start_in(
    client: Client,
    run: Callable[[Any, In], Awaitable[Out]],
    arg: In,
    task_queue: str,
    prefix: str,
) -> WorkflowHandle[Any, Out]:
    """Start `run` with `arg` on the test's task queue, under a fresh id."""
    return await client.start_workflow(run, arg, id=new_id(prefix), task_queue=task_queue)


async def run_in(
    client: Client,
    run: Callable[[Any, In], Awaitable[Out]],
    arg: In,
    task_queue: str,
    prefix: str,
) -> Out:
    """Run `run` with `arg` on the test's task queue to its result."""
    return await (await start_in(client, run, arg, task_queue, prefix)).result()


def worker(
    client: Client,
    task_queue: str,
    store: SystemOfRecord,
    replace: dict[str, Callable[..., Any]] | None = None,
    workflows: Sequence[type] = (),
) -> AbstractAsyncContextManager[Worker]:
    """A worker with every workflow, every activity of every worker service (as the
    services build them, from `worker_settings`), and a test's own `workflows`; `replace`
    maps an activity name to a stand-in registered under that name
    (`@activity.defn(name=...)`)."""
    replace = replace or {}
    settings = worker_settings(task_queue)
    # An activity two services run (the run's setup, the local notice) is registered once;
    # the real activities are named after their methods.
    real = {
        fn.__name__: fn
        for service in SERVICES.values()
        for fn in service.activities(store, settings)
    }
    kept = [fn for name, fn in real.items() if name not in replace]
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[*ALL_WORKFLOWS, *workflows],
        activities=[*kept, *replace.values()],
        activity_executor=ACTIVITY_THREADS,
        interceptors=WORKFLOW_INTERCEPTORS,
        workflow_runner=WORKFLOW_RUNNER,
    )


def worker_settings(task_queue: str) -> Settings:
    """What a test worker loads a run's context from when its starter gave none: the
    shipped roster, tables and machines, the session's trusted keys, notices on
    `task_queue`; clocks and retries as shipped."""
    return Settings(
        approvals_queue=task_queue,
        orders_queue=task_queue,
        notifications_queue=task_queue,
        trust_file=str(key_files().trust),
    )


@dataclass
class App:
    """One test's Valuechain: the session's Temporal server, a system of record and a
    task queue of the test's own; workers for it, and runs started on it."""

    env: WorkflowEnvironment
    store: SystemOfRecord
    task_queue: str

    @property
    def client(self) -> Client:
        return self.env.client

    def process_env(self, **extra: str) -> dict[str, str]:
        """The environment of a command or worker process run for this test: this
        Temporal, this task queue for the workflows (the notifier's is its own), this
        store; `extra` settings on top."""
        from tests.helpers.cli import cli_env

        address = self.client.service_client.config.target_host
        return cli_env(address, self.task_queue, self.store.url, **extra)

    def worker(
        self,
        replace: dict[str, Callable[..., Any]] | None = None,
        workflows: Sequence[type] = (),
    ) -> AbstractAsyncContextManager[Worker]:
        return worker(self.client, self.task_queue, self.store, replace, workflows)

    async def start(
        self, run: Callable[[Any, In], Awaitable[Out]], arg: In, prefix: str
    ) -> WorkflowHandle[Any, Out]:
        return await start_in(self.client, run, arg, self.task_queue, prefix)

    async def run(self, run: Callable[[Any, In], Awaitable[Out]], arg: In, prefix: str) -> Out:
        return await run_in(self.client, run, arg, self.task_queue, prefix)


def stand_in(
    name: str, real: Callable[..., Any], body: Callable[[Any], Awaitable[Any]]
) -> Callable[..., Any]:
    """An activity registered as `name` that takes the real activity's input type (so the
    converter decodes it the same way) and runs `body` instead."""
    hints = typing.get_type_hints(real)

    async def fn(input: Any) -> Any:
        return await body(input)

    fn.__annotations__ = {"input": hints["input"], "return": hints["return"]}
    return activity.defn(name=name)(fn)


async def eventually(
    read: Callable[[], Awaitable[T]],
    ok: Callable[[T], bool],
    what: str,
    every: float = 0.1,
    within: float = WAIT_LIMIT,
) -> T:
    """Read until `ok` holds; fail naming `what` and the last value after `within`
    seconds. Polling is the only way to observe a running workflow, or visibility, from
    outside."""
    deadline = asyncio.get_running_loop().time() + within
    last: T | None = None
    while asyncio.get_running_loop().time() < deadline:
        last = await read()
        if ok(last):
            return last
        await asyncio.sleep(every)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


async def wait_for_state(
    handle: WorkflowHandle[Any, Any],
    predicate: Callable[[WorkflowState], bool],
    what: str,
) -> WorkflowState:
    """The run's `state` once `predicate` holds on it."""

    async def read() -> WorkflowState | None:
        try:
            return await handle.query(HumanWorkflow.state)
        except RPCError as err:
            # A child workflow exists a moment after its parent asked for it.
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            return None

    state = await eventually(read, lambda s: s is not None and predicate(s), what)
    assert state is not None
    return state


async def open_task(handle: WorkflowHandle[Any, Any], step: str) -> OpenTask:
    state = await wait_for_state(
        handle, lambda s: any(t.step == step for t in s.open_tasks), f"step {step} to open"
    )
    return next(t for t in state.open_tasks if t.step == step)


async def decide(
    handle: WorkflowHandle[Any, Any], step: str, actor: str, decision: str, **fields: Any
) -> DecisionOutput:
    task = await open_task(handle, step)
    given = DecisionInput(task_id=task.task_id, actor=actor, decision=decision, **fields)
    return await handle.execute_update(HumanWorkflow.decide, signed(handle.id, given))


async def history_length(handle: WorkflowHandle[Any, Any]) -> int:
    return len((await handle.fetch_history()).events)


async def until_idle(handle: WorkflowHandle[Any, Any], held_activity: str = "") -> None:
    """Wait until the run has nothing in flight (no workflow task, no activity but the one
    a test holds): parked on its timers, so only an outside message adds to its history."""
    deadline = asyncio.get_running_loop().time() + WAIT_LIMIT
    while asyncio.get_running_loop().time() < deadline:
        raw = (await handle.describe()).raw_description
        busy = [a for a in raw.pending_activities if a.activity_type.name != held_activity]
        if not busy and not raw.HasField("pending_workflow_task"):
            # Settled only if nothing changed in between: two reads, one history length.
            first = await history_length(handle)
            raw = (await handle.describe()).raw_description
            if not raw.HasField("pending_workflow_task") and (
                await history_length(handle) == first
            ):
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{handle.id} did not settle")


async def listed(client: Client, query: str, at_least: int = 1) -> list[str]:
    """Workflow ids `query` lists, once it lists `at_least` of them (visibility is
    eventually consistent)."""

    async def read() -> list[str]:
        return [w.id async for w in client.list_workflows(query)]

    return await eventually(
        read, lambda found: len(found) >= at_least, f"{query} to list {at_least}", every=0.2
    )


async def on_a_retry(handle: WorkflowHandle[Any, Any], what: str) -> None:
    """Wait until the run has an activity on its second attempt or later."""

    async def attempts() -> list[int]:
        pending = (await handle.describe()).raw_description.pending_activities
        return [p.attempt for p in pending]

    await eventually(attempts, lambda found: any(a > 1 for a in found), what)
