"""Encrypted payloads in the Web UI (Playwright driving Debian's Chromium, the dev
server's real UI with its codec endpoint set): without authorization the codec server
answers 401 and the UI shows the payload as stored, none of the data; once the person
signs in to the task list (and the browser includes credentials, as the README says),
the UI shows the run's input decoded. Screenshots are kept in tests/artifacts/."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from playwright.async_api import Browser, expect
from temporalio.testing import WorkflowEnvironment

from starters.codec.server import TaskListSessions, build_codec_app
from starters.tasklist.web import build_app
from tests.helpers import App
from tests.helpers.browser import SEEN, shot, sign_in
from tests.helpers.cases import CASES, start_case
from tests.helpers.cli import free_port
from tests.helpers.tasklist import serving, task_list
from valuechain import search
from valuechain.cluster.binaries import find_temporal_cli
from valuechain.codec import EncryptionCodec, add_payload_key, encrypting
from valuechain.converter import DATA_CONVERTER

EXPENSE = CASES[0]


async def test_the_web_ui_decodes_for_people_signed_in(
    app: App, tmp_path: Path, chromium: Browser
) -> None:
    keys = add_payload_key(tmp_path / "payload-keys.toml", "k1")
    codec_port, ui_port = free_port(), free_port()
    codec_url, ui = f"http://localhost:{codec_port}", f"http://localhost:{ui_port}"
    path = find_temporal_cli()
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(path) if path else None,
        data_converter=encrypting(DATA_CONVERTER, keys),
        search_attributes=search.ALL,
        ui=True,
        ui_port=ui_port,
        dev_server_extra_args=["--ui-codec-endpoint", codec_url],
        dev_server_startup_timeout=timedelta(seconds=120),
    )
    try:
        # No worker: the run waits at its start, its input is what the UI shows.
        handle = await start_case(env.client, EXPENSE, app.task_queue)
        tasks = task_list(app, tmp_path)
        people = TaskListSessions(tasks.settings, tasks.roster, tasks.secret)
        codec = build_codec_app(EncryptionCodec(keys), "", [ui], people)
        workflow_page = f"{ui}/namespaces/default/workflows/{handle.id}"
        async with (
            serving(build_app(tasks), "localhost") as tasklist_url,
            serving(codec, "localhost", codec_port),
        ):
            page = await chromium.new_page(viewport={"width": 1400, "height": 1000})
            async with page.expect_response(f"{codec_url}/decode") as refused:
                await page.goto(workflow_page)
            assert (await refused.value).status == 401
            await expect(page.get_by_text(handle.id).first).to_be_visible(timeout=SEEN)
            await shot(page, "codec-ui-encrypted", full_page=True)
            seen = await page.content()
            for secret in ("Client visit", "125.50", "ACC-"):
                assert secret not in seen, f"{secret!r} shown without authorization"

            await sign_in(page, tasklist_url, "maria")
            await expect(page.get_by_text("Sign out")).to_be_visible(timeout=SEEN)
            # What the UI's Codec Server settings store when "Include cross-origin
            # credentials" is ticked for this browser.
            await page.goto(ui)
            await page.evaluate(
                """([endpoint]) => {
                    localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
                    localStorage.setItem('endpoint', JSON.stringify(endpoint));
                    localStorage.setItem('includeCredentials', 'true');
                }""",
                [codec_url],
            )
            async with page.expect_response(f"{codec_url}/decode") as decoded:
                await page.goto(workflow_page)
            assert (await decoded.value).status == 200
            await expect(page.get_by_text("Client visit, train tickets").first).to_be_visible(
                timeout=SEEN
            )
            await shot(page, "codec-ui-decoded", full_page=True)
        await handle.terminate("test done")
    finally:
        await env.shutdown()
