"""What every starter shares: input from a JSON file and/or flags, validated by the
request model before anything touches Temporal; bad input exits 2 and starts nothing."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from pydantic import BaseModel, ValidationError
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from valuechain.client import ConnectError, connect, ui_workflow_url
from valuechain.logging import configure_logging
from valuechain.machines import MachineError
from valuechain.models.common import RunContext
from valuechain.process import exit_process
from valuechain.rules import TableError
from valuechain.runcontext import build_context
from valuechain.settings import Settings, SettingsError
from valuechain.validation import describe_validation_error

EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    print(f"error: {message}", file=sys.stderr)
    exit_process(code)


def parser(description: str, workflow_id: bool = True) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--input", metavar="FILE", help="request as JSON; flags override its fields")
    if workflow_id:
        p.add_argument("--workflow-id", help="workflow id (default: <kind>-<random>)")
    p.add_argument("--wait", action="store_true", help="wait for the result and print it")
    p.add_argument("--json", action="store_true", help="print the start as one JSON line")
    return p


def read_request(
    args: argparse.Namespace, model: type[BaseModel], fields: Sequence[str], what: str
) -> Any:
    data: dict[str, Any] = {}
    if args.input:
        try:
            loaded = json.loads(Path(args.input).read_text())
        except OSError as err:
            fail(f"--input {args.input}: {err.strerror}")
        except json.JSONDecodeError as err:
            fail(f"--input {args.input} is not valid JSON: {err}")
        if not isinstance(loaded, dict):
            fail(f"--input {args.input} must hold a JSON object")
        data.update(loaded)
    for name in fields:
        value = getattr(args, name, None)
        if value is not None:
            data[name] = value
    try:
        return model.model_validate(data)
    except ValidationError as err:
        fail(describe_validation_error(what, err))


def load_settings_and_context() -> tuple[Settings, RunContext]:
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_format, settings.log_level)
        return settings, build_context(settings)
    except SettingsError as err:
        fail(str(err))


async def _start(
    settings: Settings,
    run: Callable[..., Any],
    arg: BaseModel,
    workflow_id: str,
    args: argparse.Namespace,
    reuse: WorkflowIDReusePolicy = WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    task_queue: str | None = None,
) -> int:
    try:
        client: Client = await connect(settings)
    except ConnectError as err:
        fail(str(err), code=1)
    try:
        handle: WorkflowHandle[Any, Any] = await client.start_workflow(
            run,
            arg,
            id=workflow_id,
            task_queue=task_queue or settings.approvals_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            id_reuse_policy=reuse,
        )
    except WorkflowAlreadyStartedError:
        fail(f"workflow {workflow_id} already exists; nothing started", code=1)
    if args.json:
        print(json.dumps({"workflow_id": handle.id, "run_id": handle.result_run_id}))
    else:
        print(f"started {workflow_id} (run {handle.result_run_id})")
        print(f"  web UI:  {ui_workflow_url(settings, workflow_id)}")
        print("  waiting: python -m starters.people list")
    if args.wait:
        result = await handle.result()
        print(result.model_dump_json(indent=2))
    return 0


def start(
    args: argparse.Namespace,
    run: Callable[..., Any],
    request_model: type[BaseModel],
    input_model: type[BaseModel],
    fields: Sequence[str],
    kind: str,
    data: Callable[[Settings], dict[str, Any]] | None = None,
    id_of: Callable[[Any], str] | None = None,
    queue_of_orders: bool = False,
) -> int:
    """Validate everything, then start the workflow; exit 2 before any side effect.
    `data` loads what else the input carries (a decision table, a state machine);
    `id_of` takes the workflow id from the request (an order's id), and then the id can
    never be used twice, not even after that workflow has ended."""
    request = read_request(args, request_model, fields, f"{kind} request")
    settings, context = load_settings_and_context()
    try:
        extra = data(settings) if data else {}
    except (TableError, MachineError) as err:
        fail(str(err))
    if id_of is not None:
        workflow_id = id_of(request)
        reuse = WorkflowIDReusePolicy.REJECT_DUPLICATE
    else:
        workflow_id = args.workflow_id or f"{kind}-{uuid.uuid4().hex[:12]}"
        reuse = WorkflowIDReusePolicy.ALLOW_DUPLICATE
    arg = input_model(request=request, context=context, **extra)
    queue = settings.orders_queue if queue_of_orders else None
    return asyncio.run(_start(settings, run, arg, workflow_id, args, reuse, queue))


def policy_flags(p: argparse.ArgumentParser) -> None:
    """Flags for a join policy: --policy all|quorum, --quorum N, --veto."""
    p.add_argument("--policy", dest="policy_mode", choices=["all", "quorum"])
    p.add_argument("--quorum", type=int, help="how many must approve (with --policy quorum)")
    p.add_argument("--veto", action="store_true", default=None, help="one rejection vetoes")


def collect_policy(args: argparse.Namespace) -> None:
    """Fold the policy flags into `args.policy`, leaving a file's policy alone if none."""
    given = {
        "mode": args.policy_mode,
        "quorum": args.quorum,
        "veto": args.veto,
    }
    args.policy = {k: v for k, v in given.items() if v is not None} or None
