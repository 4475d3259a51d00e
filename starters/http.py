"""Serving a web app (the task list, the codec server) until SIGTERM or SIGINT, which
end it cleanly (exit 0)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import Any

import uvicorn

from valuechain.settings import Settings


class Server(uvicorn.Server):
    """uvicorn's server, leaving signals to whoever runs it."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Ours in `serve`: a stop asked by SIGTERM or SIGINT is a clean exit, where
        # uvicorn's own handling would re-raise the signal once stopped.
        yield


def serve(app: Any, settings: Settings, port: int) -> int:
    server = Server(
        uvicorn.Config(
            app,
            host=settings.listen_host,
            port=port,
            log_level=settings.log_level.lower(),
            access_log=False,
        )
    )

    async def run() -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
        await server.serve()
        return 0

    return asyncio.run(run())
