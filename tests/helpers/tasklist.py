"""The task list in a test: the real app on this test's Temporal and queue, reached over
ASGI by an HTTP client that keeps cookies, as a browser does."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from starters.http import Server
from starters.tasklist.auth import SignIn
from starters.tasklist.web import TaskList, build_app
from tests.helpers import App, eventually
from tests.helpers.cli import free_port
from tests.helpers.keys import TASKLIST_KEY
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


def task_list(
    app: App, tmp_path: Path, keys: list[SigningKey] | None = None, **extra: Any
) -> TaskList:
    """A fresh task list on this test's Temporal, whose users (maria, fiona, alice) have
    PASSWORD."""
    settings = tasklist_settings(app, tmp_path, **extra)
    for name in ("maria", "fiona", "alice"):
        set_user(settings.users_path, name, PASSWORD, f"{name}@example.com")

    async def connect() -> Any:
        return app.client

    return TaskList(
        settings=settings,
        roster=load_roster(),
        keys=keys or [TASKLIST_KEY],
        sign_in=SignIn(settings.users_path, LockOut(limit=3)),
        secret="test-secret-" + tmp_path.name,
        connect=connect,
        client=app.client,
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
    """An HTTP client with a cookie jar on a fresh task list (over ASGI)."""
    tasks = task_list(app, tmp_path, keys, **extra)
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


@asynccontextmanager
async def serving(
    web_app: Any, host: str = "127.0.0.1", port: int | None = None
) -> AsyncIterator[str]:
    """A web app (the task list, the codec server) served over HTTP on `port` (default: a
    free one), for a real browser; its URL, with `host` as a browser would name it."""
    server = Server(
        uvicorn.Config(
            web_app,
            host="127.0.0.1",
            port=port or free_port(),
            log_level="warning",
            lifespan="off",  # connected already, to this test's Temporal
        )
    )
    running = asyncio.create_task(server.serve())
    await eventually(lambda: _started(server), bool, "the web app to listen")
    try:
        yield f"http://{host}:{server.config.port}"
    finally:
        server.should_exit = True
        await running


@asynccontextmanager
async def served(app: App, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh task list served over HTTP on a free port, for a real browser; its URL."""
    async with serving(build_app(task_list(app, tmp_path))) as url:
        yield url


async def _started(server: uvicorn.Server) -> bool:
    return server.started


async def until_healthy(http: httpx.AsyncClient, what: str) -> None:
    """Wait until the web service `http` points at answers /health."""

    async def health() -> int:
        try:
            return (await http.get("/health")).status_code
        except httpx.TransportError:
            return 0  # not listening yet

    await eventually(health, lambda code: code == 200, what)
