"""The worker processes as deployed: `valuechain worker <name>` configured by the
environment, JSON logs that say where each line came from, a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.worker import Worker

from activities import Activities
from activities.bookings import BookingActivities
from activities.onboarding import OnboardingActivities
from activities.order_to_cash import OrderActivities
from activities.setup import SetupActivities
from activities.support import SupportActivities
from tests.helpers import ACTIVITY_THREADS, App, new_id, run_context
from tests.helpers.cases import CASES, start_case, walk_happy_path
from tests.helpers.cli import ROOT, cli_env, run_cli
from valuechain.models.common import NoticeDelivery

WORKFLOW_LOGGERS = {"temporalio.workflow", "temporalio.activity"}


@pytest.mark.parametrize("delivery", ["local", "queue"])
async def test_worker_processes_run_a_workflow_and_stop_cleanly(
    app: App, tmp_path: Path, delivery: NoticeDelivery
) -> None:
    env, store, task_queue = app.env, app.store, app.task_queue
    case = CASES[0]  # expense: human steps, a booking and notices
    notices = f"{task_queue}-notices"  # each worker polls its own queue, as deployed
    address = env.client.service_client.config.target_host
    proc_env = cli_env(address, task_queue, store.url, notifications_queue=notices)
    logs = {name: tmp_path / f"{name}.log" for name in ("approvals", "notifications")}
    procs = {}
    for name, path in logs.items():
        procs[name] = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "starters", "worker", name, cwd=ROOT, env=proc_env,
            stdout=asyncio.subprocess.DEVNULL, stderr=path.open("wb"),
        )  # fmt: skip
    try:
        workflow_id = new_id(case.name)
        ctx = run_context(notices, notices=delivery)
        handle = await start_case(env.client, case, task_queue, ctx, workflow_id=workflow_id)
        await walk_happy_path(handle, case)
        result = await handle.result()
        assert result.status == case.success_status
    finally:
        for proc in procs.values():
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        codes = {n: await asyncio.wait_for(p.wait(), timeout=30) for n, p in procs.items()}
    assert codes == {"approvals": 0, "notifications": 0}

    run_id = handle.result_run_id
    lines = [json.loads(line) for path in logs.values() for line in path.read_text().splitlines()]
    ours = [line for line in lines if line.get("logger") in WORKFLOW_LOGGERS]
    assert ours, "the workflow and its activities logged nothing"
    for line in ours:
        assert line["workflow_id"] == workflow_id, line
        assert line["run_id"] == run_id, line
        assert line.get("step"), line
        assert line["task_queue"] in (task_queue, notices), line
        if line["logger"] == "temporalio.activity":
            assert line["activity"], line
    events = [line["event"] for line in ours]
    assert any("escalated" not in e and "decided approve on manager_review-1" in e for e in events)
    assert any(e.startswith("payout booked as ") for e in events)
    # The notices: recorded by the run's own worker (a local activity), or by the
    # notifications service from its queue.
    where = {"local": (task_queue, "record_notice"), "queue": (notices, "notify")}[delivery]
    assert any((line["task_queue"], line.get("activity")) == where for line in ours)
    stops = [line for line in lines if line["event"] == "worker stopped"]
    assert len(stops) == 2


def test_each_type_name_is_the_one_the_sdk_registers() -> None:
    """The report and `valuechain start` name workflow types as histories do."""
    from workers.registry import ALL_WORKFLOWS, type_name

    for w in ALL_WORKFLOWS:
        assert type_name(w) == getattr(w, "__temporal_workflow_definition").name, w


@pytest.mark.parametrize(
    "group",
    [BookingActivities, OnboardingActivities, OrderActivities, SetupActivities, SupportActivities],
)
def test_an_activity_class_gives_each_of_its_activities(group: type[Activities]) -> None:
    """`all()` is every public method, each an activity named after its method (the test
    worker replaces an activity by that name)."""
    found = group(None).all()  # type: ignore[call-arg]
    assert found, group
    for fn in found:
        assert getattr(fn, "__temporal_activity_definition").name == fn.__name__, fn


def test_a_public_method_that_is_no_activity_stops_a_worker_at_its_start(app: App) -> None:
    class Careless(Activities):
        @activity.defn(name="careful")
        def careful(self) -> None: ...

        def helper(self) -> None: ...

    with pytest.raises(TypeError, match="helper missing attributes"):
        Worker(app.client, task_queue=new_id("careless"), activities=Careless().all(),
               activity_executor=ACTIVITY_THREADS)  # fmt: skip


def test_the_worker_command_knows_every_worker_service() -> None:
    from typing import get_args

    from workers.registry import SERVICES, WorkerName

    assert set(get_args(WorkerName)) == set(SERVICES)


def test_the_sandbox_imports_once_exactly_the_shared_mechanisms() -> None:
    """`workflows.PASSED_THROUGH` names the modules every run would otherwise import again
    (the bases the workflows build on) and no module that defines a workflow (the sandbox
    goes on checking those at every run)."""
    from workers.registry import ALL_WORKFLOWS
    from workflows import PASSED_THROUGH

    def passed(module: str) -> bool:
        return any(module == p or module.startswith(f"{p}.") for p in PASSED_THROUGH)

    defining = {w.__module__ for w in ALL_WORKFLOWS}
    assert not [m for m in defining if passed(m)]
    # Each base of a workflow from a module that defines none: a shared mechanism.
    bases = {
        base.__module__
        for w in ALL_WORKFLOWS
        for base in w.__mro__[1:]
        if base.__module__.startswith("workflows.") and base.__module__ not in defining
    }
    assert bases
    assert all(passed(m) for m in bases), sorted(bases)
    # And nothing else: each name passed through is a module those bases come from.
    assert all(any(passed(m) and m.startswith(p) for m in bases) for p in PASSED_THROUGH)


async def test_a_notifications_worker_on_a_workflow_queue_refuses_to_start(app: App) -> None:
    """It would be handed the workflows' bookings, which it does not register (each would
    fail as not found): it exits 2 naming the setting, and never polls."""
    env = app.process_env(notifications_queue=app.task_queue)
    ran = await run_cli("worker", "notifications", env=env)
    assert ran.code == 2, ran
    assert "VALUECHAIN_NOTIFICATIONS_QUEUE" in ran.err, ran
    assert "queue of its own" in ran.err, ran
    pollers = await app.client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=app.client.namespace,
            task_queue=TaskQueue(name=app.task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        )
    )
    assert not pollers.pollers


async def test_a_run_defines_its_own_workflow_class_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sandbox imports a run's module afresh for every run (and every replay), with the
    modules it imports that are not passed through; defining a workflow class on the
    project's mechanisms costs about a millisecond of worker CPU. So each workflow's
    module defines that workflow alone, and a process takes the classes of the children
    it starts from outside the sandbox: a run imports no other workflow's module."""
    from temporalio.worker.workflow_sandbox import _runner
    from temporalio.workflow import _Definition

    from workers.registry import ALL_WORKFLOWS, WORKFLOW_RUNNER

    defining = {w.__module__ for w in ALL_WORKFLOWS}
    assert len(defining) == len(ALL_WORKFLOWS)  # one workflow a module
    imported: list[dict[str, object]] = []
    create = _runner._Instance._create_instance

    def recording(self: _runner._Instance) -> None:
        create(self)
        imported.append(dict(self.importer.new_modules))

    monkeypatch.setattr(_runner._Instance, "_create_instance", recording)
    afresh: dict[str, list[str]] = {}
    for workflow_class in ALL_WORKFLOWS:
        defn = _Definition.must_from_class(workflow_class)
        WORKFLOW_RUNNER.prepare_workflow(defn)  # creates an instance, as a run does
        modules = imported.pop()
        afresh[defn.name or ""] = sorted(
            name for name, module in modules.items()
            if name in defining and module is not sys.modules.get(name)
        )  # fmt: skip
    assert afresh == {
        (_Definition.must_from_class(w).name or ""): [w.__module__] for w in ALL_WORKFLOWS
    }
