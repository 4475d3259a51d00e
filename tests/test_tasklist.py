"""The task list as people use it: sign in (and be locked out after guessing), see what
waits on them, read the request and the step's procedure, decide (a refusal shown on the
page, the actor always the person signed in), follow a case's timeline, start a request
from a form. Against the real server, over HTTP with cookies."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowExecutionStatus

from tests.helpers import App, history_length, open_task, run_context
from tests.helpers.cases import CASES, start_case
from tests.helpers.history import search_attribute_values
from tests.helpers.orders import seeded, shipped_order
from tests.helpers.tasklist import PASSWORD, browser, csrf_of, sign_in
from valuechain import search
from valuechain.models.parallel import SignOffInput, SignOffRequest
from workflows.expense import ExpenseReimbursement
from workflows.signoff import MultiApproverSignOff

EXPENSE = CASES[0]  # alice's expense: manager review, then finance


async def test_health_and_sign_in_required(app: App, tmp_path: Path) -> None:
    async with browser(app, tmp_path) as (http, _):
        health = await http.get("/health")
        assert health.json() == {"status": "ok", "connected": True}
        home = await http.get("/")
        assert home.status_code == 303
        assert home.headers["location"] == "/signin?next=/"


async def test_sign_in_sessions_and_lock_out(app: App, tmp_path: Path) -> None:
    async with browser(app, tmp_path) as (http, _):
        form = await http.get("/signin")
        no_token = await http.post("/signin", data={"name": "maria", "password": PASSWORD})
        assert no_token.status_code == 403  # no CSRF token: refused before any check
        wrong = await sign_in(http, "maria", "not her password")
        assert wrong.status_code == 401
        assert "wrong name or password" in wrong.text
        unknown = await sign_in(http, "mallory")
        assert "wrong name or password" in unknown.text  # never which of the two

        ok = await sign_in(http, "maria")
        assert ok.status_code == 303
        cookie = ok.headers["set-cookie"].lower()
        for attribute in ("httponly", "samesite=strict", "max-age=3600"):
            assert attribute in cookie
        home = await http.get("/")
        assert home.status_code == 200
        assert "maria" in home.text

        signed_out = await http.post("/signout", data={"csrf": csrf_of(home)})
        assert signed_out.status_code == 303
        assert (await http.get("/")).status_code == 303
        assert form.status_code == 200

        # Three wrong passwords lock the name: then even the right one is refused.
        for _ in range(3):
            assert (await sign_in(http, "fiona", "guess guess guess")).status_code == 401
        locked = await sign_in(http, "fiona")
        assert locked.status_code == 401
        assert "too many failed sign-ins" in locked.text


async def test_a_tampered_session_cookie_signs_nobody_in(app: App, tmp_path: Path) -> None:
    async with browser(app, tmp_path) as (http, _):
        await sign_in(http, "maria")
        value = http.cookies["valuechain_session"]
        http.cookies.clear()
        http.cookies.set("valuechain_session", value[:-4] + "AAAA")
        assert (await http.get("/")).status_code == 303


async def test_my_tasks_a_task_and_a_decision(app: App, tmp_path: Path) -> None:
    async with app.worker(), browser(app, tmp_path) as (http, _):
        h = await start_case(app.client, EXPENSE, app.task_queue)
        task = await open_task(h, "manager_review")

        await sign_in(http, "fiona")  # finance: nothing waits on her yet
        empty = await http.get("/")
        assert "Nothing waits on you" in empty.text
        await http.post("/signout", data={"csrf": csrf_of(empty)})

        await sign_in(http, "maria")
        mine = await http.get("/")
        assert f"/tasks/{h.id}/{task.task_id}" in mine.text
        assert "UTC" in mine.text  # the due time

        page = await http.get(f"/tasks/{h.id}/{task.task_id}")
        assert page.status_code == 200
        assert "125.50" in page.text  # the request's amount
        assert "receipts/train.pdf" in page.text
        assert "Manager review of an expense" in page.text  # the step's procedure
        assert "send_back (needs comment)" in page.text  # what each decision needs
        assert "<script" not in page.text

        # A decision the workflow refuses: shown in the page, nothing written.
        before = await history_length(h)
        refused = await http.post(
            f"/tasks/{h.id}/{task.task_id}",
            data={"csrf": csrf_of(page), "decision": "reject", "comment": ""},
        )
        assert refused.status_code == 409
        said = html.unescape(refused.text)
        assert "Refused: decision 'reject' at step 'manager_review' needs comment" in said
        assert await history_length(h) == before

        forged = await http.post(
            f"/tasks/{h.id}/{task.task_id}",
            data={"csrf": "not the token", "decision": "approve"},
        )
        assert forged.status_code == 403
        assert await history_length(h) == before

        # The actor is who signed in, whatever the form says.
        done = await http.post(
            f"/tasks/{h.id}/{task.task_id}",
            data={"csrf": csrf_of(page), "decision": "approve", "actor": "dev"},
        )
        assert done.status_code == 303
        assert done.headers["location"] == f"/cases/{h.id}?decided={task.task_id}"
        timeline = await http.get(done.headers["location"])
        assert "was accepted" in timeline.text
        assert "manager_review" in timeline.text
        assert "finance_approval" in timeline.text  # now open, waiting on finance
        state = await h.query(ExpenseReimbursement.state)
        [step] = state.steps
        assert (step.actor, step.signed_by) == ("maria", "tasklist:tasklist")
        await h.terminate("test done")


async def test_a_decision_reaching_an_ended_case_is_refused(app: App, tmp_path: Path) -> None:
    async with app.worker(), browser(app, tmp_path) as (http, _):
        h = await start_case(app.client, EXPENSE, app.task_queue)
        task = await open_task(h, "manager_review")
        await sign_in(http, "maria")
        page = await http.get(f"/tasks/{h.id}/{task.task_id}")
        await h.terminate("withdrawn")  # ended while the page was open
        late = await http.post(
            f"/tasks/{h.id}/{task.task_id}", data={"csrf": csrf_of(page), "decision": "approve"}
        )
        assert late.status_code == 303
        shown = html.unescape((await http.get(late.headers["location"])).text)
    assert f"this case ended before your decision on {task.task_id} reached it" in shown
    assert "was accepted" not in shown


async def test_start_a_request_from_a_form(app: App, tmp_path: Path) -> None:
    async with app.worker(), browser(app, tmp_path) as (http, _):
        await sign_in(http, "alice")
        listing = await http.get("/start")
        assert "/start/expense" in listing.text
        form = await http.get("/start/expense")
        assert 'name="amount"' in form.text
        assert 'value="alice"' in form.text  # the requester is who signed in
        data = {
            "csrf": csrf_of(form), "employee": "alice", "amount": "-5", "category": "travel",
            "description": "Train", "receipts": "train.pdf", "payee_account": "ACC-9",
        }  # fmt: skip
        wrong = await http.post("/start/expense", data=data)
        assert wrong.status_code == 400
        assert 'id="e-amount"' in wrong.text
        assert "greater than 0" in wrong.text
        runs = [r async for r in app.client.list_workflows(f'TaskQueue="{app.task_queue}"')]
        assert runs == []  # nothing started

        started = await http.post("/start/expense", data={**data, "amount": "42.10"})
        assert started.status_code == 303
        workflow_id = started.headers["location"].removeprefix("/cases/")
        handle = app.client.get_workflow_handle(workflow_id)
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        state = await handle.query(ExpenseReimbursement.state)
        assert "expense 42.10 USD (travel) for alice" in state.subject
        await handle.terminate("test done")


async def test_single_sign_on_from_a_trusted_proxy_only(app: App, tmp_path: Path) -> None:
    sso: dict[str, Any] = {
        "tasklist_proxy_header": "X-Forwarded-User",
        "tasklist_proxy_from": "10.0.0.5",
    }
    async with browser(app, tmp_path / "a", client_host="10.0.0.5", **sso) as (http, _):
        home = await http.get("/", headers={"X-Forwarded-User": "maria"})
        assert home.status_code == 200
        assert "maria (manager, reviewer)" in home.text
    async with browser(app, tmp_path / "b", client_host="10.0.0.9", **sso) as (http, _):
        elsewhere = await http.get("/", headers={"X-Forwarded-User": "maria"})
        assert elsewhere.status_code == 303  # not from the proxy: the header means nothing


async def test_a_process_timeline_shows_its_stages(app: App, tmp_path: Path) -> None:
    seeded(app.store)
    async with app.worker(), browser(app, tmp_path) as (http, _):
        h, _ = await shipped_order(app, {"KETTLE-2": 1})
        await sign_in(http, "maria")
        page = await http.get(f"/cases/{h.id}")
        assert page.status_code == 200
        for stage in ("OrderEntry", "CreditCheck", "StockCheck", "PickPack", "Shipping"):
            assert stage in page.text, stage
        assert f"/cases/{h.id}-shipping" in page.text  # each stage's own timeline
        await h.terminate("test done")


async def test_a_task_assigned_by_name_is_in_that_persons_list(app: App, tmp_path: Path) -> None:
    """Sign-off steps wait on each approver by name (role "approver", which nobody holds):
    the one list call finds them through `person:<digest>` in the waiting attribute, which
    holds neither her name nor the requester's."""
    request = SignOffRequest(subject="the Q3 budget", requester="alice", approvers=["fiona"])
    arg = SignOffInput(request=request, context=run_context(app.task_queue))
    async with app.worker(), browser(app, tmp_path) as (http, _):
        h = await app.start(MultiApproverSignOff.run, arg, "signoff")
        task = await open_task(h, "sign_off_fiona")
        await sign_in(http, "fiona")
        mine = await http.get("/")
        assert f"/tasks/{h.id}/{task.task_id}" in mine.text
        published = await search_attribute_values(h)
        await h.terminate("test done")
    assert search.person("fiona") in published["ValuechainWaitingRole"]
    assert not any(
        name in v for v in published["ValuechainWaitingRole"] for name in ("fiona", "alice")
    )
