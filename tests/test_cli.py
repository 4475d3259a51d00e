"""Starters and the people command, run as subprocesses against the test server."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from tests.helpers import App, new_id, open_task
from tests.helpers.cli import ROOT, Ran, cli_env, run_cli
from tests.helpers.keys import key_files
from valuechain.process import EXIT_BROKEN_PIPE
from workflows.expense import ExpenseReimbursement
from workflows.human import HumanWorkflow
from workflows.signoff import MultiApproverSignOff
from workflows.ticket import SupportTicket


async def test_start_list_and_decide_from_the_command_line(app: App, tmp_path: Path) -> None:
    env, task_queue = app.env, app.task_queue
    request = {
        "employee": "ben",
        "amount": "310.00",
        "category": "lodging",
        "description": "Hotel, two nights",
        "receipts": ["hotel.pdf"],
        "payee_account": "ACC-2",
    }
    file = tmp_path / "expense.json"
    file.write_text(json.dumps(request))
    workflow_id = new_id("expense")
    cli = app.process_env()

    async def people(*args: str) -> Ran:
        return await run_cli("tasks", *args, env=cli)

    def waiting(ran: Ran) -> set[tuple[str, str]]:
        assert ran.code == 0, ran
        return {(w["workflow_id"], w["task"]["task_id"]) for w in json.loads(ran.out)}

    async with app.worker():
        started = await run_cli(
            "start", "expense", "--input", str(file), "--amount", "300.00",
            "--workflow-id", workflow_id, env=cli,
        )  # fmt: skip
        assert started.code == 0, started
        assert f"started {workflow_id}" in started.out

        handle = env.client.get_workflow_handle_for(ExpenseReimbursement.run, workflow_id)
        task = await open_task(handle, "manager_review")
        state = await handle.query(HumanWorkflow.state)
        assert "expense 300.00 USD (lodging) for ben" in state.subject

        again = await run_cli("start", "expense", "--input", str(file),
                              "--workflow-id", workflow_id, env=cli)  # fmt: skip
        assert again.code == 1
        assert "already exists" in again.err

        # A run on the same queue that waits on nobody (here: one no worker can run, so
        # it could not even answer a query) is never asked: the list is by waiting role.
        stranger = await env.client.start_workflow(
            "NotAValuechainWorkflow", id=f"{workflow_id}-other", task_queue=task_queue
        )
        listed = waiting(await people("list", "--role", "manager", "--json"))
        everyone = await people("list", "--json")
        assert (workflow_id, task.task_id) in waiting(everyone)
        assert stranger.id not in everyone.out
        shown = await people("list")  # the table a person reads
        assert workflow_id in shown.out
        assert task.task_id in shown.out
        await stranger.terminate("test done")
        assert (workflow_id, task.task_id) in listed
        assert "no human steps are waiting" in (await people("list", "--role", "hr")).out
        mine = waiting(await people("list", "--person", "maria", "--json"))
        assert (workflow_id, task.task_id) in mine

        refused = await people("decide", workflow_id, task.task_id, "approve", "--as", "hana")
        assert refused.code == 1
        assert "refused: actor 'hana' may not decide" in refused.err

        bad = await people("decide", workflow_id, task.task_id, "approve", "--as", "maria",
                           "--at", "tomorrow")  # fmt: skip
        assert bad.code == 2
        assert "Invalid value for --at" in bad.err

        # No key given and none set: the decision goes unsigned and the run refuses it.
        keyless = {**cli, "VALUECHAIN_SIGNING_KEY": ""}
        unsigned = await run_cli("tasks", "decide", workflow_id, task.task_id, "approve",
                                 "--as", "maria", env=keyless)  # fmt: skip
        assert unsigned.code == 1
        assert "refused: unsigned decision" in unsigned.err
        no_file = await people("decide", workflow_id, task.task_id, "approve", "--as", "maria",
                               "--key", str(tmp_path / "missing.key"))  # fmt: skip
        assert no_file.code == 2
        assert "missing.key" in no_file.err

        ok = await people("decide", workflow_id, task.task_id, "approve", "--as", "maria",
                          "--key", str(key_files().admin))  # fmt: skip
        assert ok.code == 0, ok
        assert f"maria decided approve on {task.task_id}" in ok.out
        finance = await open_task(handle, "finance_approval")
        ok = await people("decide", workflow_id, finance.task_id, "approve", "--as", "fiona")
        assert ok.code == 0, ok
        result = await handle.result()

    assert result.status == "paid"
    assert [s.signed_by for s in result.steps[:2]] == ["admin:ops", "admin:ops"]
    outbox = await people("outbox", "--workflow", workflow_id, "--json")
    assert outbox.code == 0, outbox
    sent = {(n["kind"], n["recipient"]) for n in json.loads(outbox.out)}
    assert {("assigned", "role:manager"), ("outcome", "ben")} <= sent
    shown = await people("outbox", "--workflow", workflow_id)
    assert "role:manager" in shown.out
    assert "assigned" in shown.out


async def test_policy_flags_reach_the_workflow(app: App) -> None:
    env = app.env
    workflow_id = new_id("signoff")
    cli = app.process_env()
    args = ["--subject", "Budget", "--requester", "alice", "--approvers", "maria",
            "--approvers", "dev", "--approvers", "carla", "--policy.mode", "quorum",
            "--policy.quorum", "2", "--policy.veto", "--workflow-id", workflow_id]  # fmt: skip
    async with app.worker():
        started = await run_cli("start", "signoff", *args, env=cli)
        assert started.code == 0, started
        handle = env.client.get_workflow_handle_for(MultiApproverSignOff.run, workflow_id)
        await open_task(handle, "sign_off_dev")
        await run_cli("tasks", "decide", workflow_id, "sign_off_dev-1", "reject",
                      "--as", "dev", "--comment", "no", env=cli)  # fmt: skip
        result = await handle.result()
    assert result.status == "rejected"
    assert result.join.policy == "2 of 3 must approve; one rejection vetoes"


async def test_a_customer_acts_on_a_ticket_from_the_command_line(app: App) -> None:
    env = app.env
    workflow_id = new_id("ticket")
    cli = app.process_env()
    async with app.worker():
        started = await run_cli(
            "start", "ticket", "--customer", "jo@example.com", "--subject", "Refund missing",
            "--workflow-id", workflow_id, env=cli,
        )  # fmt: skip
        assert started.code == 0, started
        handle = env.client.get_workflow_handle_for(SupportTicket.run, workflow_id)
        new = await open_task(handle, "new")
        listed = await run_cli("tasks", "list", "--person", new.assignee or "", "--json",
                               env=cli)  # fmt: skip
        assert {(workflow_id, "new-1")} <= {
            (w["workflow_id"], w["task"]["task_id"]) for w in json.loads(listed.out)
        }
        ok = await run_cli(
            "tasks",
            "decide",
            workflow_id,
            "new-1",
            "resolve",
            "--as",
            new.assignee or "",
            "--comment",
            "refunded",
            env=cli,
        )
        assert ok.code == 0, ok
        await open_task(handle, "resolved")
        ok = await run_cli("tasks", "decide", workflow_id, "resolved-1", "confirm",
                           "--as", "jo@example.com", env=cli)  # fmt: skip
        assert ok.code == 0, ok
        result = await handle.result()
    assert result.status == "closed"
    assert result.category == "billing"


async def test_a_command_whose_reader_is_gone_ends_quietly(tmp_path: Path) -> None:
    """`... | head` closing early: no traceback, the exit a shell expects (141); and the
    command is not killed by SIGPIPE, which would also hit it on a refused connection."""
    env = cli_env("unused:7233", "q", f"sqlite:///{tmp_path / 'records.db'}")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "starters", "migrate", cwd=ROOT, env=env,
        stdout=write_end, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    os.close(write_end)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == EXIT_BROKEN_PIPE, err.decode()
    assert b"Traceback" not in err


async def test_one_command_starts_every_workflow_type(tmp_path: Path) -> None:
    """`valuechain start` has one row per workflow a person starts, and each command's
    flags are its request model's fields (generated: a new field is a new flag)."""
    from starters.start import STARTABLE
    from workers.registry import type_name, workflow_names

    env = cli_env("unused:7233", "q", f"sqlite:///{tmp_path / 'records.db'}")
    console_script = Path(sys.executable).parent / "valuechain"
    listed = await asyncio.create_subprocess_exec(
        str(console_script), "start", "--json", env=env, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await listed.communicate()
    assert listed.returncode == 0
    rows = json.loads(out)
    assert [r["command"] for r in rows] == [f"valuechain start {s.name}" for s in STARTABLE]
    assert len(rows) == 14
    assert {r["workflow_type"] for r in rows} <= set(workflow_names())
    assert {r["workflow_type"] for r in rows} == {type_name(s.workflow) for s in STARTABLE}
    for row in STARTABLE:
        shown = await run_cli("start", row.name, "--help", env=env)
        assert shown.code == 0, shown
        for name, field in row.request.model_fields.items():
            flag = "--" + name.replace("_", "-")
            assert flag in shown.out, (row.name, flag)
            assert field.description, f"{row.name} --{name}: no description for its --help"
