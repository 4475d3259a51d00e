"""The Web UI as an operator uses it (Playwright driving Debian's Chromium on the dev
server's real UI): "Start Workflow" with a request alone runs the workflow to its end,
with a malformed one fails the run at once naming the field; a schedule made with
`valuechain schedule create` is on the Schedules page. Screenshots in tests/artifacts/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect
from temporalio.client import WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from tests.helpers import App, eventually, worker
from tests.helpers.browser import SEEN, shot
from tests.helpers.cases import SMALL_PURCHASE
from tests.helpers.cli import cli_env, run_cli
from valuechain import errors


async def start_from_the_form(page: Page, ui: str, workflow_id: str, queue: str, data: Any) -> None:
    """What a person does: the Workflows page's "Start Workflow", its four fields."""
    await page.goto(f"{ui}/namespaces/default/workflows")
    await page.get_by_role("button", name="Start Workflow").click()
    await page.locator("#workflowId").fill(workflow_id)
    await page.locator("#taskQueue").fill(queue)
    await page.locator("#workflowType").fill("PurchaseApproval")
    await page.locator(".cm-content").first.click()  # the input's JSON editor
    await page.keyboard.insert_text(json.dumps(data))
    await page.locator("#workflowId").click()
    async with page.expect_response(
        lambda r: r.request.method == "POST" and f"/workflows/{workflow_id}" in r.url
    ) as started:
        await page.get_by_role("button", name="Start Workflow").click()
    assert (await started.value).status == 200


async def test_the_web_ui_start_form_runs_a_request_and_fails_a_malformed_one(
    app: App, ui_env: tuple[WorkflowEnvironment, int], chromium: Browser
) -> None:
    env, ui = ui_env[0], f"http://localhost:{ui_env[1]}"
    page = await chromium.new_page(viewport={"width": 1400, "height": 1000})
    good, bad = f"ui-good-{app.task_queue}", f"ui-bad-{app.task_queue}"
    async with worker(env.client, app.task_queue, app.store):
        await start_from_the_form(page, ui, good, app.task_queue, {"request": SMALL_PURCHASE})
        result = await env.client.get_workflow_handle(good).result()
        assert result["status"] == "approved"

        malformed = {"request": {**SMALL_PURCHASE, "amount": "abc"}}
        await start_from_the_form(page, ui, bad, app.task_queue, malformed)
        with pytest.raises(WorkflowFailureError) as raised:
            await env.client.get_workflow_handle(bad).result()
    failure = raised.value.cause
    assert isinstance(failure, ApplicationError)
    assert (failure.type, failure.non_retryable) == (errors.INVALID_INPUT, True)
    assert "request.amount: Input should be a valid decimal (got 'abc')" in failure.message
    await page.goto(f"{ui}/namespaces/default/workflows/{bad}")
    await expect(page.get_by_text("Failed").first).to_be_visible(timeout=SEEN)
    await shot(page, "web-ui-start-malformed", full_page=True)


async def test_the_web_ui_shows_a_schedule(
    app: App, ui_env: tuple[WorkflowEnvironment, int], chromium: Browser
) -> None:
    env, ui = ui_env[0], f"http://localhost:{ui_env[1]}"
    address = env.client.service_client.config.target_host
    schedule_id = f"ui-weekly-{app.task_queue}"
    made = await run_cli(
        "schedule", "create", "invoice", "--invoice-number", "INV-UI", "--vendor", "globex",
        "--amount", "120.00", "--submitted-by", "adam", "--cron", "0 8 * * MON", "--paused",
        "--note", "shown in the UI", "--schedule-id", schedule_id,
        env=cli_env(address, app.task_queue, app.store.url),
    )  # fmt: skip
    assert made.code == 0, made.err

    async def ids() -> list[str]:
        return [s.id async for s in await env.client.list_schedules()]

    await eventually(ids, lambda found: schedule_id in found, "the schedule listed")
    page = await chromium.new_page(viewport={"width": 1400, "height": 1000})
    await page.goto(f"{ui}/namespaces/default/schedules")
    await expect(page.get_by_text(schedule_id)).to_be_visible(timeout=SEEN)
    await shot(page, "web-ui-schedules", full_page=True)
    await page.get_by_text(schedule_id).click()
    await expect(page.get_by_text("InvoiceApproval").first).to_be_visible(timeout=SEEN)
    await expect(page.get_by_text("Paused").first).to_be_visible(timeout=SEEN)
    await shot(page, "web-ui-schedule", full_page=True)
