"""The task list as a service: its command serves until stopped and refuses a bad key at
start, the `users` command that keeps who may sign in, key rotation (older runs still
decidable), and a procedure for every human step."""

from __future__ import annotations

import html
import json
import signal
import stat
from pathlib import Path

import httpx

from tests.helpers import App, open_task, run_context
from tests.helpers.cases import CASES, start_case
from tests.helpers.cli import Ran, free_port, run_cli, spawn
from tests.helpers.history import ERAS
from tests.helpers.keys import key_files
from tests.helpers.tasklist import PASSWORD, browser, csrf_of, sign_in, until_healthy
from valuechain.identity.keys import new_key
from valuechain.identity.users import load_users
from valuechain.models.common import Trust
from workflows.expense import ExpenseReimbursement
from workflows.procedures import procedure

EXPENSE = CASES[0]  # alice's expense: manager review, then finance


def human_steps() -> dict[str, set[str]]:
    """Every human step of every workflow type, as the recorded histories ran them."""
    import base64

    steps: dict[str, set[str]] = {}
    for path in sorted(p for era in ERAS for p in era.glob("*.json")):
        events = json.loads(path.read_text())["events"]
        started = events[0]["workflowExecutionStartedEventAttributes"]
        kind = started["workflowType"]["name"]
        for event in events:
            done = event.get("workflowExecutionCompletedEventAttributes")
            for payload in (done or {}).get("result", {}).get("payloads", []):
                result = json.loads(base64.b64decode(payload["data"]))
                for step in result.get("steps", []):
                    if step.get("performer") == "human":
                        steps.setdefault(kind, set()).add(step["step"])
    return steps


def test_every_human_step_has_a_procedure() -> None:
    steps = human_steps()
    assert len(steps) >= 15, steps  # the histories cover the workflow types
    missing = sorted(
        f"{kind}/{step}"
        for kind, names in steps.items()
        for step in names
        if procedure(kind, step) is None
    )
    assert missing == [], f"human steps without a procedure (workflows/procedures/): {missing}"


async def test_users_command(app: App, tmp_path: Path) -> None:
    users = tmp_path / "users.toml"
    env = app.process_env(VALUECHAIN_USERS_FILE=str(users))

    async def users_cmd(*args: str, password: str = PASSWORD) -> Ran:
        return await run_cli("users", *args, env=env, stdin=password + "\n")

    added = await users_cmd("add", "maria", "--email", "maria@example.com", "--password-stdin")
    assert added.code == 0, added
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    [maria] = load_users(users).users
    assert maria.password_hash.startswith("$argon2id$")
    assert PASSWORD not in users.read_text()
    stranger = await users_cmd("add", "mallory", "--password-stdin")
    assert stranger.code == 2
    assert "not in the roster" in stranger.err
    short = await users_cmd("passwd", "maria", "--password-stdin", password="short")
    assert short.code == 2
    assert "at least 12 characters" in short.err
    assert load_users(users).users == [maria]  # unchanged
    listed = await run_cli("users", "list", "--json", env=env)
    assert json.loads(listed.out) == [
        {"name": "maria", "email": "maria@example.com", "roles": ["manager", "reviewer"]}
    ]


async def test_the_tasklist_command_serves_until_stopped(app: App, tmp_path: Path) -> None:
    port = free_port()
    env = app.process_env(
        VALUECHAIN_TASKLIST_PORT=str(port),
        VALUECHAIN_TASKLIST_KEY=str(key_files().tasklist),
        VALUECHAIN_STATE_DIR=str(tmp_path),
    )
    proc = await spawn("starters", env, tmp_path / "tasklist.log", ["tasklist"])
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            await until_healthy(http, "the task list's /health")
            assert (await http.get("/")).status_code == 303  # sign in first
        proc.send_signal(signal.SIGTERM)
        assert await proc.wait() == 0  # a clean stop
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert stat.S_IMODE((tmp_path / "tasklist.secret").stat().st_mode) == 0o600


async def test_a_bad_tasklist_key_stops_it_at_start(app: App, tmp_path: Path) -> None:
    env = app.process_env(
        VALUECHAIN_TASKLIST_KEY=str(key_files().partners), VALUECHAIN_STATE_DIR=str(tmp_path)
    )
    ran = await run_cli("tasklist", env=env)
    assert ran.code == 2
    assert "a partner key cannot sign decisions" in ran.err


async def test_key_rotation_keeps_older_runs_decidable(app: App, tmp_path: Path) -> None:
    """Rotation: a new task list key is made and trusted beside the old one; runs started
    before trust only the old key, runs started after trust both. The task list holds
    both (newest first) and signs each run with one it trusts; a task list that dropped
    the old key too early gets the run's refusal, shown on the page."""
    old, new = (
        new_key("tasklist-1", "tasklist", "tasklist"),
        new_key("tasklist-2", "tasklist", "tasklist"),
    )
    before = run_context(app.task_queue).model_copy(update={"trust": Trust(keys=[old.trusted()])})
    after = run_context(app.task_queue).model_copy(
        update={"trust": Trust(keys=[new.trusted(), old.trusted()])}
    )
    async with app.worker():
        early = await start_case(app.client, EXPENSE, app.task_queue, before)
        late = await start_case(app.client, EXPENSE, app.task_queue, after)
        tasks = {h.id: await open_task(h, "manager_review") for h in (early, late)}

        async with browser(app, tmp_path / "new-only", keys=[new]) as (http, _):
            await sign_in(http, "maria")
            page = await http.get(f"/tasks/{early.id}/{tasks[early.id].task_id}")
            refused = await http.post(
                f"/tasks/{early.id}/{tasks[early.id].task_id}",
                data={"csrf": csrf_of(page), "decision": "approve"},
            )
            assert refused.status_code == 409
            assert "which this run does not trust" in html.unescape(refused.text)

        async with browser(app, tmp_path / "both", keys=[new, old]) as (http, _):
            await sign_in(http, "maria")
            for h in (early, late):
                page = await http.get(f"/tasks/{h.id}/{tasks[h.id].task_id}")
                done = await http.post(
                    f"/tasks/{h.id}/{tasks[h.id].task_id}",
                    data={"csrf": csrf_of(page), "decision": "approve"},
                )
                assert done.status_code == 303, html.unescape(done.text)
        signers = {}
        for h in (early, late):
            state = await h.query(ExpenseReimbursement.state)
            signers[h.id] = state.steps[0].signed_with
            await h.terminate("test done")
    assert signers == {early.id: "tasklist-1", late.id: "tasklist-2"}
