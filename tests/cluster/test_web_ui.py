"""What a person sees in the cluster's Web UI server (which reaches the frontend over
mutual TLS with its own certificate): the order list filtered by `OrderId`, and an order's
own page with its summary line. A real browser (Playwright driving Debian's Chromium)
waits for what a person would see; screenshots are kept in tests/artifacts/."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from temporalio.client import Client

from tests.helpers.browser import SEEN, shot
from tests.helpers.cli import run_cli, running_workers
from tests.helpers.cluster import envs
from tests.helpers.orders import wait_order
from valuechain.cluster.topology import Cluster
from valuechain.records.store import SystemOfRecord
from workflows.order_to_cash.process import OrderToCash

pytestmark = pytest.mark.cluster


async def test_the_web_ui_shows_an_order_and_its_summary(
    cluster: Cluster,
    client: Client,
    records: SystemOfRecord,
    task_queue: str,
    tmp_path: Path,
    chromium: Browser,
) -> None:
    worker_env, command_env = envs(cluster, task_queue, records, tmp_path)
    order = f"{task_queue}-ui"
    async with running_workers(["orders", "notifications"], worker_env, tmp_path):
        started = await run_cli(
            "start", "order", "--order-id", order, "--customer", "C-ACME",
            "--lines", "KETTLE-2=2", "--json", env=command_env,
        )  # fmt: skip
        assert started.code == 0, started.err
        handle = client.get_workflow_handle_for(OrderToCash.run, order)
        # It waits there for the carrier: a running order with its stages so far.
        await wait_order(handle, lambda v: v.stage == "shipping", "the shipping stage")
        ui = f"{cluster.ui_url}/namespaces/{cluster.namespace}/workflows"
        page = await chromium.new_page(viewport={"width": 1400, "height": 900})
        query = urllib.parse.quote(f'OrderId="{order}"')
        await page.goto(f"{ui}?query={query}")
        # The order and each stage so far, each a row a person can click.
        for workflow_id in (order, f"{order}-order_entry", f"{order}-shipping"):
            await expect(page.get_by_role("link", name=workflow_id, exact=True)).to_be_visible(
                timeout=SEEN
            )
        await shot(page, "cluster-order-list")
        await page.get_by_role("link", name=order, exact=True).click()
        try:
            # The run's page: its summary line (current details) in the User Metadata
            # tab says what it is, for whom, and where it stands.
            await expect(page.get_by_role("heading", name=order)).to_be_visible(timeout=SEEN)
            await page.get_by_role("tab", name="User Metadata").click()
            # The UI renders current details as Markdown in a sandboxed frame.
            details = page.frame_locator("iframe").first
            line = details.get_by_text(f"order {order} for C-ACME").first
            await expect(line).to_be_visible(timeout=SEEN)
            await expect(line).to_contain_text("stage shipping")
        finally:
            await shot(page, "cluster-order-page")  # what the person saw, either way
        await handle.terminate("test done")
