"""The task list in a real browser (Playwright driving Debian's Chromium) on the real
server: maria signs in, sees only her tasks, reads the procedure and decides; the next
step appears for finance; a person without the role sees no such task and a crafted POST
for it is refused, as is a POST without the CSRF token; a wrong password is refused and
repeated ones lock the name; the start form names a bad field and starts nothing. A
screenshot of a task page is kept in tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.helpers import App, history_length, open_task
from tests.helpers.browser import shot, sign_in
from tests.helpers.cases import CASES, start_case
from tests.helpers.tasklist import served
from workflows.expense import ExpenseReimbursement

EXPENSE = CASES[0]


async def sign_out(page: Page) -> None:
    await page.click("header button")
    await expect(page.locator("h1")).to_have_text("Sign in")


async def test_people_decide_in_the_browser(app: App, tmp_path: Path, chromium: Browser) -> None:
    async with app.worker(), served(app, tmp_path) as url:
        h = await start_case(app.client, EXPENSE, app.task_queue)
        task = await open_task(h, "manager_review")
        page = await chromium.new_page(viewport={"width": 1280, "height": 900})

        # fiona (finance) has nothing yet: maria's task is not hers.
        await sign_in(page, url, "fiona")
        await expect(page.locator("main")).to_contain_text("Nothing waits on you")
        # A crafted POST for maria's task, with fiona's own valid session and token:
        token = await page.locator("input[name=csrf]").first.input_value()
        before = await history_length(h)
        crafted = await page.request.post(
            f"{url}/tasks/{h.id}/{task.task_id}", form={"csrf": token, "decision": "approve"}
        )
        assert crafted.status == 409
        assert "may not decide" in await crafted.text()
        no_token = await page.request.post(
            f"{url}/tasks/{h.id}/{task.task_id}", form={"decision": "approve"}
        )
        assert no_token.status == 403
        assert await history_length(h) == before
        await sign_out(page)

        # maria: her task is listed; she reads it and decides.
        await sign_in(page, url, "maria")
        link = page.get_by_role("link", name=task.summary or task.step)
        await expect(link).to_be_visible()
        await link.click()
        await expect(page.locator(".procedure")).to_contain_text("Manager review of an expense")
        await expect(page.locator("main")).to_contain_text("125.5")
        await shot(page, "tasklist-task", full_page=True)
        await page.select_option("#decision", "approve")
        await page.fill("#comment", "receipts match")
        await page.click("main button[type=submit]")
        await expect(page.locator("main")).to_contain_text("was accepted")
        await sign_out(page)

        # The next step is finance's: it appears in fiona's list.
        await sign_in(page, url, "fiona")
        await expect(page.locator("main")).to_contain_text("finance_approval")
        state = await h.query(ExpenseReimbursement.state)
        assert [(s.step, s.actor, s.comment) for s in state.steps] == [
            ("manager_review", "maria", "receipts match")
        ]
        await h.terminate("test done")


async def test_wrong_passwords_and_lock_out(app: App, tmp_path: Path, chromium: Browser) -> None:
    async with served(app, tmp_path) as url:
        page = await chromium.new_page()
        await sign_in(page, url, "maria", "not her password")
        await expect(page.locator(".error")).to_have_text("wrong name or password")
        for _ in range(2):
            await sign_in(page, url, "maria", "still not it at all")
        await sign_in(page, url, "maria")  # the right one, too late
        await expect(page.locator(".error")).to_contain_text("too many failed sign-ins")


async def test_the_start_form_names_a_bad_field(
    app: App, tmp_path: Path, chromium: Browser
) -> None:
    async with served(app, tmp_path) as url:
        page = await chromium.new_page()
        await sign_in(page, url, "alice")
        await page.goto(f"{url}/start/expense")
        await page.fill("#f-amount", "lots")
        await page.fill("#f-category", "travel")
        await page.fill("#f-description", "Train")
        await page.fill("#f-payee_account", "ACC-1")
        await page.click("main button[type=submit]")
        await expect(page.locator("#e-amount")).to_be_visible()
        await expect(page.locator("#e-amount")).to_contain_text("valid decimal")
        runs = [r async for r in app.client.list_workflows(f'TaskQueue="{app.task_queue}"')]
        assert runs == []  # nothing started
