"""`valuechain start <workflow>`: one row per workflow type, each command's flags generated
from its request model (`--input FILE` gives them as JSON; flags override the file).

No `from __future__ import annotations` here: each command's signature names its row's
request model, read by cyclopts when the command is built."""

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from cyclopts import App, Parameter
from cyclopts.argument import ArgumentCollection
from cyclopts.config import Dict
from pydantic import BaseModel, ValidationError
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from starters import cli
from starters.cli import Failed, Json
from valuechain.client import ui_workflow_url
from valuechain.machines import MachineError
from valuechain.models import (
    blog,
    document,
    expense,
    machine,
    onboarding,
    orders,
    parallel,
    rules_driven,
    timeoff,
)
from valuechain.models.common import RunInput
from valuechain.rules import TableError
from valuechain.runcontext import load_setup
from valuechain.settings import Settings, SettingsError
from valuechain.validation import describe_validation_error
from workers.registry import type_name
from workflows.blog import BlogPublishing
from workflows.complaint import ComplaintTriage
from workflows.compliance import ComplianceReview
from workflows.document import DocumentApproval
from workflows.expense import ExpenseReimbursement
from workflows.invoice import InvoiceApproval
from workflows.launch.process import ProductLaunch
from workflows.onboarding.process import EmployeeOnboarding
from workflows.order_to_cash.process import OrderToCash
from workflows.proposal import ProposalReview
from workflows.purchase import PurchaseApproval
from workflows.signoff import MultiApproverSignOff
from workflows.ticket import SupportTicket
from workflows.timeoff import TimeOffRequestWorkflow

# An order line is one token on a command line, `SKU=QTY`, which the model itself reads
# (cyclopts would otherwise take two tokens per line, one per field).
Parameter(n_tokens=1, accepts_keys=False)(orders.OrderLine)


@dataclass(frozen=True)
class Startable:
    """A workflow a person starts: its command, its request, what its input adds."""

    name: str  # valuechain start <name>
    summary: str
    workflow: type  # the workflow's class
    request: type[BaseModel]
    # Its input: the request, the context and what else it `loads` (tables, machines).
    input: type[RunInput[Any]]
    # The request field that is the workflow id: then one id can never start twice.
    id_field: str | None = None
    queue: Literal["approvals", "orders"] = "approvals"
    # Filled in when neither a flag nor the file gives them.
    defaults: Callable[[], dict[str, Any]] = field(default=lambda: {})

    def task_queue(self, settings: Settings) -> str:
        return settings.orders_queue if self.queue == "orders" else settings.approvals_queue


STARTABLE: list[Startable] = [
    Startable("expense", "Submit an expense report for reimbursement.",
              ExpenseReimbursement, expense.ExpenseRequest, expense.ExpenseInput),
    Startable("document", "Upload a document for review and approval.",
              DocumentApproval, document.DocumentRequest, document.DocumentInput),
    Startable("blog", "Submit a blog draft: review, images, scheduling, publication.",
              BlogPublishing, blog.BlogRequest, blog.BlogInput),
    Startable("timeoff", "Ask for time off.",
              TimeOffRequestWorkflow, timeoff.TimeOffRequest, timeoff.TimeOffInput),
    Startable("compliance", "Put a document through compliance review (a state machine).",
              ComplianceReview, machine.ComplianceRequest, machine.ComplianceInput),
    Startable("ticket", "Open a support ticket (a state machine, triaged by a table).",
              SupportTicket, machine.TicketRequest, machine.TicketInput),
    Startable("signoff", "Ask several approvers to sign off, in any order (all or a quorum).",
              MultiApproverSignOff, parallel.SignOffRequest, parallel.SignOffInput),
    Startable("proposal", "Have departments review a proposal at the same time.",
              ProposalReview, parallel.ProposalRequest, parallel.ProposalInput),
    Startable("launch", "Launch a product: its branches prepare at once, then it launches.",
              ProductLaunch, parallel.LaunchRequest, parallel.LaunchInput),
    Startable("purchase", "Ask to buy something; the purchase_approval table routes it.",
              PurchaseApproval, rules_driven.PurchaseRequest, rules_driven.PurchaseInput),
    Startable("invoice", "Submit a supplier invoice; the invoice_approval table routes it.",
              InvoiceApproval, rules_driven.InvoiceRequest, rules_driven.InvoiceInput),
    Startable("complaint", "Log a customer complaint; the complaint_triage table routes it.",
              ComplaintTriage, rules_driven.ComplaintRequest, rules_driven.ComplaintInput),
    Startable("onboarding", "Onboard a new employee: checks, equipment, access, training.",
              EmployeeOnboarding, onboarding.OnboardingRequest, onboarding.OnboardingInput),
    Startable("order", "Place an order: order-to-cash, from entry to collection. Its "
              "order_id is its workflow id, so the same order never starts twice. A line: "
              "--lines SKU=QTY (repeatable); the due date defaults to 30 days from today.",
              OrderToCash, orders.OrderRequest, orders.OrderToCashInput,
              id_field="order_id", queue="orders",
              defaults=lambda: {"due_date": (date.today() + timedelta(days=30)).isoformat()}),
]  # fmt: skip

BY_NAME = {row.name: row for row in STARTABLE}


def read_request_file(path: str) -> dict[str, Any]:
    try:
        loaded = json.loads(Path(path).read_text())
    except OSError as err:
        raise Failed(f"--input {path}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise Failed(f"--input {path} is not valid JSON: {err}") from err
    if not isinstance(loaded, dict):
        raise Failed(f"--input {path} must hold a JSON object")
    return loaded


def _given_on_command_line(arguments: ArgumentCollection) -> set[str]:
    """The request's top-level fields some flag gave (`--policy.mode` gives `policy`)."""
    given = set()
    for argument in arguments:
        if argument.tokens:
            for name in argument.names:
                given.add(name.lstrip("-").split(".")[0].replace("-", "_"))
    return given


def request_sources(app: App, commands: tuple[str, ...], arguments: ArgumentCollection) -> None:
    """Fill the request's fields no flag gave: from `--input FILE`, then the defaults.

    The file's values are checked by the request model first, so a wrong one is refused
    in the model's words even when other fields are missing; the merged request is then
    validated whole, as flags alone would be."""
    row = BY_NAME.get(commands[-1]) if commands else None
    if row is None:
        return
    given = _given_on_command_line(arguments)
    try:
        source, _, _ = arguments.match("--input")
        path = source.tokens[-1].value if source.tokens else None
    except ValueError:
        path = None
    if path:
        data = read_request_file(path)
        try:
            row.request.model_validate(data)
        except ValidationError as err:
            wrong = [
                e for e in err.errors()
                if e["type"] != "missing" and e["loc"] and e["loc"][0] not in given
            ]  # fmt: skip
            if wrong:
                refused = ValidationError.from_exception_data(err.title, wrong)  # type: ignore[arg-type]
                raise Failed(describe_validation_error(f"{row.name} request", refused)) from err
        kept = {k: v for k, v in data.items() if k not in given and v is not None}
        Dict(kept, source=path, use_commands_as_keys=False)(app, commands, arguments)
    Dict(row.defaults(), source="defaults", use_commands_as_keys=False)(app, commands, arguments)


def prepare(row: Startable, settings: Settings, request: BaseModel) -> RunInput[Any]:
    """The run's input: the request, the run context and what else it loads, all read
    now from the settings and files (as a worker would for a run started without them);
    a bad setting, table or machine stops it (`Failed`, nothing started)."""
    try:
        setup = load_setup(settings, row.input.loads)
    except (SettingsError, TableError, MachineError) as err:
        raise Failed(str(err)) from err
    return row.input(request=request).completed(setup.context, setup.parts())


async def launch(
    client: Client,
    settings: Settings,
    row: Startable,
    arg: RunInput[Any],
    workflow_id: str | None = None,
) -> WorkflowHandle[Any, Any]:
    """Start the prepared input; a workflow id already in use starts nothing (`Failed`)."""
    request = arg.request
    if row.id_field is not None:
        if workflow_id is not None:
            raise Failed(f"--workflow-id: a {row.name}'s workflow id is its {row.id_field}")
        workflow_id = str(getattr(request, row.id_field))
        reuse = WorkflowIDReusePolicy.REJECT_DUPLICATE
    else:
        workflow_id = workflow_id or f"{row.name}-{uuid.uuid4().hex[:12]}"
        reuse = WorkflowIDReusePolicy.ALLOW_DUPLICATE
    try:
        return await client.start_workflow(
            row.workflow.run,  # type: ignore[attr-defined]
            arg,
            id=workflow_id,
            task_queue=row.task_queue(settings),
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=reuse,
        )
    except WorkflowAlreadyStartedError as err:
        raise Failed(
            f"workflow {workflow_id} already exists; nothing started", cli.EXIT_FAILED
        ) from err


async def start_run(
    row: Startable, request: BaseModel, workflow_id: str | None, wait: bool, as_json: bool
) -> int:
    settings = cli.load_settings()
    arg = prepare(row, settings, request)
    handle = await launch(await cli.client_for(settings), settings, row, arg, workflow_id)
    workflow_id = handle.id
    started = {"workflow_id": handle.id, "run_id": handle.result_run_id}
    if not as_json:
        out = cli.console()
        out.print(f"started {workflow_id} (run {handle.result_run_id})")
        out.print(f"  web UI:  {ui_workflow_url(settings, workflow_id)}")
        out.print("  waiting: valuechain tasks list")
    if wait:
        result = await handle.result()
        if as_json:
            cli.print_json({**started, "result": result})
        else:
            cli.console().print(result.model_dump_json(indent=2))
    elif as_json:
        cli.print_json(started)
    return 0


def command_for(row: Startable) -> Callable[..., int]:
    def start(
        *,
        request: Annotated[row.request, Parameter(name="*")],  # type: ignore[name-defined]
        input: Annotated[
            Path | None,
            Parameter(help="the request as a JSON object; flags override its fields"),
        ] = None,
        workflow_id: Annotated[
            str | None, Parameter(help="the workflow id (default: <workflow>-<random>)")
        ] = None,
        wait: Annotated[
            bool, Parameter(negative=(), help="wait for the result and print it")
        ] = False,
        as_json: Json = False,
    ) -> int:
        # `input` was read into the request's fields by `request_sources`.
        return asyncio.run(start_run(row, request, workflow_id, wait, as_json))

    start.__doc__ = row.summary
    return start


def per_workflow(name: str, help: str, command: Callable[[Startable], Callable[..., int]]) -> App:
    """An app with one command per workflow (`start expense`, `schedule create expense`),
    each taking its request's flags, filled from `--input FILE` as well."""
    made = App(name=name, help=help, config=[request_sources])
    for row in STARTABLE:
        made.command(command(row), name=row.name)
    return made


app = per_workflow(
    "start",
    "Start a workflow: `valuechain start` lists them, `valuechain start <workflow> --help` "
    "its flags.",
    command_for,
)


@app.default
def workflows(*, as_json: Json = False) -> int:
    """The workflows that can be started."""
    rows = [
        {
            "command": f"valuechain start {row.name}",
            "workflow_type": type_name(row.workflow),
            "task_queue": row.queue,
            "summary": row.summary,
        }
        for row in STARTABLE
    ]
    if as_json:
        cli.print_json(rows)
        return 0
    shown = cli.table("Workflows to start (flags: valuechain start <workflow> --help)",
                  "command", "workflow type", "summary")  # fmt: skip
    for r in rows:
        shown.add_row(r["command"], r["workflow_type"], r["summary"])
    cli.console().print(shown)
    return 0
