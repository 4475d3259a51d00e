"""What every worker process does: settings, logging, connect, poll until a signal."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any

from temporalio.worker import Worker

from activities.store import SystemOfRecord
from valuechain.client import connect
from valuechain.logging import configure_logging, get_logger
from valuechain.process import exit_process
from valuechain.settings import Settings, SettingsError

Build = Callable[[Settings, SystemOfRecord], tuple[str, Sequence[type], Sequence[Any]]]


async def serve(name: str, build: Build, settings: Settings) -> None:
    log = get_logger(f"workers.{name}")
    # Handlers first: a signal during start-up still means "stop cleanly".
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    store = SystemOfRecord(settings.effective_database_url)
    task_queue, workflows, activities = build(settings, store)
    client = await connect(settings)
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=workflows,
        activities=activities,
    )
    log.info(
        "worker started",
        worker=name,
        task_queue=task_queue,
        workflows=[getattr(w, "__name__", str(w)) for w in workflows],
        activities=len(activities),
        temporal=settings.temporal_address,
        namespace=settings.namespace,
    )
    running = asyncio.create_task(worker.run())
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if stopped.done():
        log.info("signal received, shutting down", worker=name)
        await worker.shutdown()
    await running  # re-raises if the worker died on its own
    store.close()
    log.info("worker stopped", worker=name)


def main(name: str, build: Build) -> None:
    try:
        settings = Settings.from_env()
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    configure_logging(settings.log_format, settings.log_level)
    asyncio.run(serve(name, build, settings))
    exit_process(0)
