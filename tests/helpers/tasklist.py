"""The task list in a test: the real app on this test's Temporal and queue, reached over
ASGI by an HTTP client that keeps cookies, as a browser does."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from starters.tasklist.auth import SignIn
from starters.tasklist.web import TaskList, build_app
from tests.helpers import TASKLIST_KEY, App
from valuechain.connection import Connection
from valuechain.identity.keys import SigningKey
from valuechain.identity.users import LockOut, set_user
from valuechain.runcontext import load_roster
from valuechain.settings import Settings

PASSWORD = "correct horse battery"


def tasklist_settings(app: App, tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        temporal=Connection(address=app.client.service_client.config.target_host),
        approvals_queue=app.task_queue,
        notifications_queue=app.task_queue,
        orders_queue=app.task_queue,
        state_dir=tmp_path,
        database_url=app.store.url,
        users_file=str(tmp_path / "users.toml"),
        **extra,
    )


@asynccontextmanager
async def browser(
    app: App,
    tmp_path: Path,
    *,
    client_host: str = "127.0.0.1",
    keys: list[SigningKey] | None = None,
    **extra: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, TaskList]]:
    """A browser on a fresh task list whose users (maria, fiona, alice) have PASSWORD."""
    settings = tasklist_settings(app, tmp_path, **extra)
    for name in ("maria", "fiona", "alice"):
        set_user(settings.users_path, name, PASSWORD, f"{name}@example.com")

    async def connect() -> Any:
        return app.client

    tasks = TaskList(
        settings=settings,
        roster=load_roster(),
        keys=keys or [TASKLIST_KEY],
        sign_in=SignIn(settings.users_path, LockOut(limit=3)),
        secret="test-secret-" + tmp_path.name,
        connect=connect,
        client=app.client,
    )
    transport = httpx.ASGITransport(app=build_app(tasks), client=(client_host, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://tasklist") as http:
        yield http, tasks


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, f"no CSRF token in the page:\n{page.text[:500]}"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, name: str, password: str = PASSWORD) -> httpx.Response:
    form = await http.get("/signin")
    return await http.post(
        "/signin", data={"name": name, "password": password, "csrf": csrf_of(form), "next": "/"}
    )
