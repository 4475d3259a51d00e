"""What a person sees: the Web UI lists an order, and its stages, by the order's search
attribute, and filtered on the stage it is at. Headless Chromium (Debian's package)
renders the real UI; screenshots and pages are kept under tests/artifacts/."""

from __future__ import annotations

import asyncio
import tempfile
import urllib.parse
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.helpers import listed, worker
from tests.helpers.needs import need_chromium
from tests.helpers.orders import order_input, seeded, start_order, wait_shipped
from valuechain.records.store import SystemOfRecord

ARTIFACTS = Path(__file__).parent / "artifacts"
# The flags these machines need: no sandbox as root, no GPU, no calls to the outside.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
    "--window-size=1400,900", "--virtual-time-budget=6000",
]  # fmt: skip

CHROMIUM = need_chromium()


async def run_chromium(*args: str) -> bytes:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory() as profile:
        proc = await asyncio.create_subprocess_exec(
            CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise AssertionError(f"chromium did not finish rendering {args[-1]}") from None
    return out


async def chromium(url: str, name: str) -> str:
    """Render `url`: keep a screenshot and the rendered page; return the page's HTML."""
    ARTIFACTS.mkdir(exist_ok=True)
    await run_chromium(f"--screenshot={ARTIFACTS / f'{name}.png'}", url)
    page = (await run_chromium("--dump-dom", url)).decode(errors="replace")
    (ARTIFACTS / f"{name}.html").write_text(page)
    return page


async def test_the_web_ui_lists_an_order_by_its_search_attribute(
    ui_env: tuple[WorkflowEnvironment, int], store: SystemOfRecord, task_queue: str
) -> None:
    env, ui_port = ui_env
    seeded(store)
    async with worker(env.client, task_queue, store):
        h = await start_order(env.client, task_queue, order_input(task_queue, {"KETTLE-2": 2}))
        await wait_shipped(h)  # waits there
        by_order = f'OrderId="{h.id}"'
        at_stage = f'{by_order} AND ValuechainStage="shipping"'
        await listed(env.client, at_stage)
        base = f"http://127.0.0.1:{ui_port}/namespaces/default/workflows?query="
        listing = await chromium(base + urllib.parse.quote(by_order), "order-list")
        staged = await chromium(base + urllib.parse.quote(at_stage), "order-at-stage")
        await h.terminate("test done")
    # Filtered by the order: the process and every stage so far, each under its type.
    for stage in ("order_entry", "credit_check", "stock_check", "pick_pack", "shipping"):
        assert f"{h.id}-{stage}" in listing, stage
    assert "OrderToCash" in listing
    assert "Running" in listing
    # Filtered by the order and its stage: the order itself, nothing that is past it.
    assert f">{h.id}<" in staged.replace(" ", ""), "the order is not listed at its stage"
    assert f"{h.id}-order_entry" not in staged
    assert (ARTIFACTS / "order-list.png").stat().st_size > 10_000
