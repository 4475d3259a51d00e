"""Recurring processes on Temporal Schedules, through `valuechain schedule`: a schedule's
runs start with the request alone and complete; it pauses, lists (ours and the
`temporal` CLI's) and is deleted; a wrong spec is refused naming the field, nothing made."""

from __future__ import annotations

import json
import re
import shlex
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from tests.helpers import App, eventually
from tests.helpers.cases import SMALL_PURCHASE as PURCHASE_REQUEST
from tests.helpers.cases import as_flags
from tests.helpers.cli import run_cli, run_temporal_cli
from valuechain.codec import ENCODING, add_payload_key

README = Path(__file__).resolve().parents[1] / "README.md"
SMALL_PURCHASE = ["purchase", *as_flags(PURCHASE_REQUEST)]
INVOICE = ["invoice", "--invoice-number", "INV-W", "--vendor", "globex", "--amount", "120.00",
           "--submitted-by", "adam"]  # fmt: skip


async def runs_of(client: Client, schedule_id: str, status: str) -> list[str]:
    query = f'TemporalScheduledById="{schedule_id}" AND ExecutionStatus="{status}"'
    return [w.id async for w in client.list_workflows(query)]


async def exists(client: Client, schedule_id: str) -> bool:
    try:
        await client.get_schedule_handle(schedule_id).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


async def listed(env: dict[str, str]) -> dict[str, Any]:
    ran = await run_cli("schedule", "list", "--json", env=env)
    assert ran.code == 0, ran.err
    return {s["schedule_id"]: s for s in json.loads(ran.out)}


async def test_a_schedule_runs_pauses_and_is_deleted(app: App) -> None:
    env = app.process_env()
    schedule_id = f"every-second-{uuid.uuid4().hex[:8]}"
    address = app.client.service_client.config.target_host
    async with app.worker():
        made = await run_cli("schedule", "create", *SMALL_PURCHASE, "--every", "1s",
                             "--schedule-id", schedule_id, "--json", env=env)  # fmt: skip
        assert made.code == 0, made.err
        assert json.loads(made.out)["workflow_type"] == "PurchaseApproval"
        done = await eventually(
            lambda: runs_of(app.client, schedule_id, "Completed"),
            lambda ids: len(ids) >= 2,
            "two runs of the schedule completed",
        )
        for workflow_id in done[:2]:
            assert workflow_id.startswith(f"{schedule_id}-")  # the id and the time it was due
            result = await app.client.get_workflow_handle(workflow_id).result()
            assert result["status"] == "approved"

        paused = await run_cli("schedule", "pause", schedule_id, "--note", "month end", env=env)
        assert paused.code == 0, paused.err
        state = (await app.client.get_schedule_handle(schedule_id).describe()).schedule.state
        assert (state.paused, state.note) == (True, "month end")
        shown = await eventually(lambda: listed(env), lambda s: s.get(schedule_id, {}).get(
            "paused") is True, "the schedule listed as paused")  # fmt: skip
        assert shown[schedule_id]["when"] == "every 1s"
        assert shown[schedule_id]["workflow_type"] == "PurchaseApproval"
        assert shown[schedule_id]["runs_started"] >= 2
        table = await run_cli("schedule", "list", env=env)
        assert table.code == 0, table.err
        row = next(line for line in table.out.splitlines() if schedule_id in line)
        cells = [cell.strip() for cell in row.split("│")]
        assert cells[:4] == [schedule_id, "PurchaseApproval", "every 1s", "paused: month end"]
        theirs = await run_temporal_cli("schedule", "list", "--address", address)
        assert schedule_id in theirs.out, theirs.err

        deleted = await run_cli("schedule", "delete", schedule_id, env=env)
        assert deleted.code == 0, deleted.err
        assert not await exists(app.client, schedule_id)
        # The runs it started are kept.
        assert len(await runs_of(app.client, schedule_id, "Completed")) >= 2
    again = await run_cli("schedule", "delete", schedule_id, env=env)
    assert (again.code, again.err.strip()) == (1, f"error: no schedule {schedule_id}")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ([*INVOICE, "--cron", "61 8 * * MON"], "--cron '61 8 * * MON': Invalid schedule spec: "
                                               "Minute is not in range [0-59]"),
        ([*INVOICE, "--cron", "0 8 * *"], "cron: Value error, a cron expression has 5 fields"),
        ([*INVOICE, "--cron", "0 8 * * M%N"], "cron: Value error, not a cron field: 'M%N'"),
        ([*INVOICE, "--every", "1h", "--cron", "@daily"], "every: Value error, give cron or "
                                                          "every, not both"),
        ([*INVOICE, "--overlap", "skip"], "every: Value error, give cron or every: when"),
        ([*INVOICE], "give --cron or --every"),
        ([*INVOICE, "--every", "1h", "--catchup-window", "1s"], "catchup_window: Input should "
                                                                "be greater than or equal to 10"),
        ([*INVOICE, "--cron", "@daily", "--timezone", "Mars/Base"], "timezone: Value error, "
                                                                    "unknown time zone"),
        ([*INVOICE, "--every", "soon"], "every: Input should be a valid timedelta"),
        ([*INVOICE, "--every", "1h", "--overlap", "sometimes"], "overlap: Input should be 'skip'"),
        ([*INVOICE[:6], "abc", *INVOICE[7:], "--every", "1h"], "amount: Input should be a "
                                                               "valid decimal"),
        (["order", "--order-id", "ORD-S", "--customer", "C-ACME", "--lines", "KETTLE-2=1",
          "--every", "7d"],
         "order: cannot recur, its order_id is its workflow id"),
    ],
    ids=["cron-range", "cron-fields", "cron-chars", "both", "neither", "no-times",
         "catchup", "timezone", "every", "overlap", "request", "order"],
)  # fmt: skip
async def test_a_bad_spec_is_refused_naming_the_field_and_nothing_is_created(
    app: App, args: list[str], named: str
) -> None:
    schedule_id = f"refused-{uuid.uuid4().hex[:8]}"
    ran = await run_cli("schedule", "create", *args, "--schedule-id", schedule_id,
                        env=app.process_env())  # fmt: skip
    assert ran.code == 2, ran.out
    assert named in ran.err
    assert not await exists(app.client, schedule_id)


def readme_schedule_commands() -> list[list[str]]:
    """The `valuechain schedule create` examples of the README, as a shell reads them."""
    block = README.read_text().split("### Recurring processes: schedules", 1)[1]
    commands = re.findall(r"^valuechain schedule create (?:.*\\\n)*.*$", block, re.M)
    return [shlex.split(c.replace("\\\n", " "), comments=True)[1:] for c in commands]


async def test_the_readme_examples_create_their_schedules(app: App) -> None:
    env = app.process_env()
    commands = readme_schedule_commands()
    assert [c[2] for c in commands] == ["compliance", "invoice"]
    ids = []
    for command in commands:
        ran = await run_cli(*command, "--paused", env=env)  # paused: the test runs nothing
        assert ran.code == 0, ran.err
        ids.append(command[command.index("--schedule-id") + 1])
    try:
        shown = await eventually(lambda: listed(env), lambda s: set(ids) <= set(s),
                                 "the README's schedules listed")  # fmt: skip
        review, invoices = (shown[i] for i in ids)
        assert (review["workflow_type"], review["when"]) == (
            "ComplianceReview", "0 9 1 * * (Europe/Berlin)")  # fmt: skip
        assert (invoices["workflow_type"], invoices["when"]) == (
            "InvoiceApproval", "0 8 * * MON (UTC)")  # fmt: skip
        policy = (await app.client.get_schedule_handle(ids[1]).describe()).schedule.policy
        assert policy.overlap.name == "BUFFER_ONE"
        assert policy.catchup_window == timedelta(hours=6)
        again = await run_cli(*commands[1], env=env)
        assert again.code == 1
        assert f"schedule {ids[1]} already exists; nothing created" in again.err
    finally:
        for schedule_id in ids:
            await app.client.get_schedule_handle(schedule_id).delete()


async def test_a_schedule_keeps_its_request_encrypted(app: App, tmp_path: Path) -> None:
    """With a payload key, the request the schedule starts each run with is stored
    encrypted in the schedule; a `schedule list` without the key still lists it."""
    keys_file = tmp_path / "payload-keys.toml"
    add_payload_key(keys_file, "k1")
    schedule_id = f"sealed-{uuid.uuid4().hex[:8]}"
    made = await run_cli("schedule", "create", *INVOICE, "--every", "7d", "--paused",
                         "--schedule-id", schedule_id,
                         env=app.process_env(VALUECHAIN_PAYLOAD_KEYS=str(keys_file)))  # fmt: skip
    assert made.code == 0, made.err
    try:
        raw = (await app.client.get_schedule_handle(schedule_id).describe()).raw_description
        [stored] = raw.schedule.action.start_workflow.input.payloads
        assert stored.metadata["encoding"] == ENCODING
        assert b"globex" not in stored.data
        assert b"INV-W" not in stored.data
        shown = await eventually(lambda: listed(app.process_env()),
                                 lambda s: schedule_id in s, "the schedule listed")  # fmt: skip
        assert shown[schedule_id]["when"] == "every 7d"
    finally:
        await app.client.get_schedule_handle(schedule_id).delete()
