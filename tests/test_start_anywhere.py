"""Any Temporal client starts the workflows: with its request alone, a run has its worker
load the run context (one activity, recorded in its history); an input that does not
validate, or no input at all, fails the run at once naming what is wrong."""

from __future__ import annotations

import json
import shlex
import typing
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ActivityError, ApplicationError

from activities.setup import SetupActivities
from starters import start
from starters.run import SUCCESS
from starters.simulation.people import act_as_people, demos, more_demos
from tests.helpers import App, run_context, worker_settings
from tests.helpers.cases import CASES, SMALL_PURCHASE, start_case
from tests.helpers.cli import run_temporal_cli
from tests.helpers.history import record_history, replayer
from tests.helpers.keys import SIGNERS
from tests.helpers.orders import seeded
from valuechain import errors
from valuechain.models.common import RunInput, WorkflowInput
from valuechain.models.rules_driven import PurchaseInput
from valuechain.runcontext import load_roster
from workers.registry import ALL_WORKFLOWS, type_name
from workflows.human import HumanWorkflow
from workflows.purchase import PurchaseApproval


def example_requests() -> dict[str, BaseModel]:
    """One request of every workflow a person starts: the demo's, read by the same
    command line that `valuechain start` runs (an order's id is its workflow id)."""
    found: dict[str, BaseModel] = {}
    for demo in [*demos(0), *more_demos(0)]:
        args = [demo.kind, *demo.args]
        if demo.kind == "order":
            args += ["--order-id", f"demo-order-{uuid.uuid4().hex[:8]}"]
        _, bound, _ = start.app.parse_args(args)
        found[demo.kind] = bound.kwargs["request"]
    return found


def run_id_for(kind: str, request: BaseModel) -> str:
    row = start.BY_NAME[kind]
    if row.id_field:
        return str(getattr(request, row.id_field))
    return f"bare-{kind}-{uuid.uuid4().hex[:8]}"


async def activity_types(handle: WorkflowHandle[Any, Any]) -> list[str]:
    history = await handle.fetch_history()
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


async def test_every_workflow_type_completes_from_its_request_alone(app: App) -> None:
    requests = example_requests()
    assert sorted(requests) == sorted(start.BY_NAME)  # every workflow a person starts
    ids: dict[str, str] = {}
    said: list[str] = []
    seeded(app.store)  # the order's customer and stock
    async with app.worker():
        for kind, request in requests.items():
            ids[kind] = run_id_for(kind, request)
            # As an operator's client would: the type by name, the request as plain JSON.
            await app.client.start_workflow(
                type_name(start.BY_NAME[kind].workflow),
                {"request": request.model_dump(mode="json")},
                id=ids[kind],
                task_queue=app.task_queue,
            )
        results = await act_as_people(
            app.client, [app.task_queue], list(ids.values()), load_roster(), SIGNERS, said.append
        )
        statuses = {kind: results[workflow_id].status for kind, workflow_id in ids.items()}
        assert {k: s for k, s in statuses.items() if s not in SUCCESS} == {}
        for kind, workflow_id in ids.items():
            handle = app.client.get_workflow_handle(workflow_id)
            # The worker loaded the context first, and the history keeps what it loaded.
            assert (await activity_types(handle))[0] == "load_run_setup", kind
        for kind in ("expense", "ticket"):
            await record_history(app.client.get_workflow_handle(ids[kind]), f"{kind}-bare")
        # Replayed without any activity or settings file: the loaded rules are in history.
        history = await app.client.get_workflow_handle(ids["ticket"]).fetch_history()
        replayed = await replayer().replay_workflow(history)
        assert replayed.replay_failure is None


async def test_a_run_started_with_its_context_loads_nothing(app: App) -> None:
    requests = example_requests()
    async with app.worker():
        settings = worker_settings(app.task_queue)
        arg = start.prepare(start.BY_NAME["purchase"], settings, requests["purchase"])
        assert isinstance(arg, PurchaseInput)
        handle = await app.start(PurchaseApproval.run, arg, "with-context")
        await act_as_people(
            app.client, [app.task_queue], [handle.id], load_roster(), SIGNERS, lambda _: None
        )
        assert "load_run_setup" not in await activity_types(handle)


def required_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    return [f"{prefix}{name}" for name, f in model.model_fields.items() if f.is_required()]


def expected_names(input_type: type[WorkflowInput]) -> list[str]:
    """The fields an input `{"request": {"no_such_field": 1}}` gets wrong, read from the
    model: each required field missing, the unknown one refused."""
    if issubclass(input_type, RunInput):
        request = input_type.model_fields["request"].annotation
        assert isinstance(request, type)
        assert issubclass(request, BaseModel)
        return [*required_fields(request, "request."), "request.no_such_field"]
    return [*required_fields(input_type), "request"]


async def failed_at_once(handle: WorkflowHandle[Any, Any]) -> ApplicationError:
    """The run's failure, having checked that no workflow task failed before it."""
    with pytest.raises(WorkflowFailureError) as raised:
        await handle.result()
    cause = raised.value.cause
    assert isinstance(cause, ApplicationError)
    history = await handle.fetch_history()
    kinds = [e.event_type for e in history.events]
    assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in kinds
    assert kinds[-1] == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
    return cause


@pytest.mark.parametrize("workflow_class", ALL_WORKFLOWS, ids=type_name)
async def test_a_malformed_input_fails_the_run_at_once_naming_each_field(
    app: App, workflow_class: type
) -> None:
    input_type = typing.get_type_hints(workflow_class.run)["input"]  # type: ignore[attr-defined]
    async with app.worker():
        handle = await app.client.start_workflow(
            type_name(workflow_class),
            {"request": {"no_such_field": 1}} if issubclass(input_type, RunInput) else
            {"request": {}},
            id=f"malformed-{uuid.uuid4().hex[:8]}",
            task_queue=app.task_queue,
        )  # fmt: skip
        failure = await failed_at_once(handle)
    assert failure.type == errors.INVALID_INPUT
    assert failure.non_retryable
    assert failure.message.startswith(f"invalid input for {input_type.__name__}:")
    named = [line.split(":")[0].strip() for line in failure.message.splitlines()[1:]]
    assert sorted(named) == sorted(expected_names(input_type))


async def test_no_input_fails_the_run_at_once(app: App) -> None:
    async with app.worker():
        handle = await app.client.start_workflow(
            "ExpenseReimbursement", id=f"no-input-{uuid.uuid4().hex[:8]}",
            task_queue=app.task_queue,
        )  # fmt: skip
        failure = await failed_at_once(handle)
    assert failure.type == errors.INVALID_INPUT
    assert "takes one input" in failure.message
    assert "was started with 0" in failure.message


async def test_a_run_given_no_roster_fails_at_its_first_human_step(app: App) -> None:
    """The context an order's automated stages get (no roster, no trusted keys), given to
    a workflow with a human step: the run fails as it would open the task, naming why,
    rather than opening a task no decision could be checked against."""
    case = CASES[0]  # expense: the manager's review first
    ctx = run_context(app.task_queue).automated_only()
    async with app.worker():
        handle = await start_case(app.client, case, app.task_queue, ctx)
        failure = await failed_at_once(handle)
        state = await handle.query(HumanWorkflow.state)
    assert failure.non_retryable
    assert "started without a roster" in failure.message
    assert state.open_tasks == []


async def test_the_temporal_cli_starts_a_workflow_with_a_request(app: App) -> None:
    """The issue's own commands: a wrong amount fails at once naming it; a right
    request runs to its end (a small office purchase is approved automatically)."""
    address = app.client.service_client.config.target_host
    common = ["--address", address, "--task-queue", app.task_queue, "--type", "PurchaseApproval"]
    bad = {"request": {"requester": "alice", "amount": "abc"}}
    good = {"request": SMALL_PURCHASE}
    async with app.worker():
        for name, given in (("bad", bad), ("good", good)):
            ran = await run_temporal_cli(
                "workflow", "start", *common, "--workflow-id", f"cli-{name}-{app.task_queue}",
                "--input", json.dumps(given),
            )  # fmt: skip
            assert ran.code == 0, ran.err
        failure = await failed_at_once(app.client.get_workflow_handle(f"cli-bad-{app.task_queue}"))
        result = await app.client.get_workflow_handle(f"cli-good-{app.task_queue}").result()
    assert "request.amount: Input should be a valid decimal (got 'abc')" in failure.message
    for missing in ("request.item", "request.category", "request.vendor"):
        assert f"{missing}: Field required" in failure.message
    assert result["status"] == "approved"


async def test_a_bad_settings_file_on_the_worker_fails_the_run_naming_it(
    app: App, tmp_path: Any
) -> None:
    roster = tmp_path / "roster.toml"
    roster.write_text("[people]\nalice = 'manager'\n")  # a role list, not a string
    settings = worker_settings(app.task_queue).model_copy(update={"roster_file": str(roster)})
    broken = SetupActivities(settings).load_run_setup
    request = example_requests()["expense"]
    async with app.worker(replace={"load_run_setup": broken}):
        handle = await app.client.start_workflow(
            "ExpenseReimbursement", {"request": request.model_dump(mode="json")},
            id=f"bad-roster-{uuid.uuid4().hex[:8]}", task_queue=app.task_queue,
        )  # fmt: skip
        with pytest.raises(WorkflowFailureError) as raised:
            await handle.result()
    activity_error = raised.value.cause
    assert isinstance(activity_error, ActivityError)
    cause = activity_error.cause  # the activity's own failure
    assert isinstance(cause, ApplicationError)
    assert cause.type == errors.SETUP_FAILED
    assert str(roster) in cause.message
    assert await activity_types(handle) == ["load_run_setup"]  # tried once: not retryable


@pytest.mark.parametrize("workflow_class", ALL_WORKFLOWS, ids=type_name)
def test_every_input_takes_the_run_context_optionally(workflow_class: type) -> None:
    input_type = typing.get_type_hints(workflow_class.run)["input"]  # type: ignore[attr-defined]
    assert issubclass(input_type, WorkflowInput)
    field = input_type.model_fields["context"]
    assert not field.is_required()


def readme_temporal_start() -> list[str]:
    """The README's `temporal workflow start` example, as a shell reads it."""
    readme = Path(__file__).resolve().parents[1] / "README.md"
    block = readme.read_text().split("### From any Temporal client", 1)[1]
    start = block.index("temporal workflow start ")
    command = block[start : block.index("}}'", start) + 3]  # the input's closing quote
    return shlex.split(command.replace("\\\n", " "))[1:]


async def test_the_readmes_temporal_cli_example_runs(app: App) -> None:
    args = readme_temporal_start()
    workflow_id = f"readme-{app.task_queue}"
    args[args.index("--task-queue") + 1] = app.task_queue
    args[args.index("--workflow-id") + 1] = workflow_id
    address = app.client.service_client.config.target_host
    async with app.worker():
        ran = await run_temporal_cli(*args, "--address", address)
        assert ran.code == 0, ran.err
        result = await app.client.get_workflow_handle(workflow_id).result()
    assert result["status"] == "approved"
