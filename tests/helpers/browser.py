"""A real browser in the tests: Playwright driving Debian's Chromium (the `chromium`
fixture), signing in to the task list as a person does, and screenshots kept in
tests/artifacts/ for whoever reads a failure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

from tests.helpers.needs import need_chromium
from tests.helpers.tasklist import PASSWORD

ARTIFACTS = Path(__file__).parents[1] / "artifacts"
SEEN = 30_000  # ms a person would wait for a page


@asynccontextmanager
async def launched_chromium() -> AsyncIterator[Browser]:
    path = need_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=path, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(page: Page, url: str, name: str, password: str = PASSWORD) -> None:
    """Sign in to the task list at `url` from its sign-in form."""
    await page.goto(f"{url}/signin")
    await page.fill("#name", name)
    await page.fill("#password", password)
    await page.click("button[type=submit]")


async def shot(page: Page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
