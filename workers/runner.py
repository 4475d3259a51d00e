"""What every worker service (`valuechain worker <name>`) does: settings from the
environment, logging, a client with Prometheus metrics, a health endpoint, polling until a
signal, and a graceful stop.

SIGTERM or SIGINT: stop polling, let running activities finish within
VALUECHAIN_SHUTDOWN_GRACE_SECONDS, exit 0. A second signal stops at once (exit 1).
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.worker import Worker

from valuechain.client import connect
from valuechain.logging import get_logger
from valuechain.process import exit_process
from valuechain.records.migrate import open_store
from valuechain.settings import Settings
from workers.registry import WORKFLOW_INTERCEPTORS, Service, notifier, workflow_runner

HEALTH_CHECK_TIMEOUT = timedelta(seconds=2)


async def serve_health(
    host: str, port: int, status: Callable[[], Awaitable[dict[str, Any]]]
) -> asyncio.Server:
    """A minimal HTTP endpoint: GET /health answers 200 while the worker is connected and
    polling, 503 otherwise, with the details as JSON."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            path = request.decode(errors="replace").split(" ")[1:2]
            if path != ["/health"]:
                code, body = "404 Not Found", {"error": "see /health"}
            else:
                body = await status()
                code = "200 OK" if body["connected"] and body["polling"] else "503 Unavailable"
            payload = json.dumps(body).encode()
            writer.write(
                f"HTTP/1.1 {code}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (TimeoutError, ConnectionError, IndexError):
            pass  # a half-open or malformed request: nothing to answer
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port)


async def serve(service: Service, settings: Settings) -> int:
    name = service.name
    log = get_logger(f"workers.{name}")
    # Signal handlers first: a signal during start-up still means "stop cleanly".
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(sig: signal.Signals) -> None:
        if not stop.is_set():
            log.info(
                "signal received: stopping gracefully; a second signal stops at once",
                worker=name,
                signal=sig.name,
                grace_seconds=settings.shutdown_grace_seconds,
            )
            stop.set()
        else:
            log.warning("second signal: stopping at once", worker=name, signal=sig.name)
            exit_process(1)

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig)

    # Migrating may wait for another worker's migration: off the loop that handles signals.
    store = await asyncio.to_thread(open_store, settings.effective_database_url)
    task_queue, workflows = service.queue(settings), service.workflows
    activities = service.activities(store, settings)
    runtime = None
    if settings.metrics_port:
        bind = f"{settings.listen_host}:{settings.metrics_port}"
        runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind)))
    client: Client = await connect(settings, runtime)
    # The activities book in the database, a blocking call: they run on threads of their
    # own, as many as may run at once.
    threads = ThreadPoolExecutor(settings.activity_threads, thread_name_prefix="activity")
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=workflows,
        activities=activities,
        activity_executor=threads,
        interceptors=WORKFLOW_INTERCEPTORS,
        workflow_runner=workflow_runner(settings.workflow_sandbox),
        max_concurrent_activities=settings.activity_threads,
        graceful_shutdown_timeout=timedelta(seconds=settings.shutdown_grace_seconds),
    )
    running = asyncio.create_task(worker.run())
    mailer = None
    if service.mails and settings.smtp_host:
        mailing = notifier(store, settings).mail_until(stop, settings.mail_poll_seconds)
        mailer = asyncio.create_task(mailing)

    async def status() -> dict[str, Any]:
        try:
            connected = await client.service_client.check_health(timeout=HEALTH_CHECK_TIMEOUT)
        except Exception:  # any failure to reach the server is "not connected"
            connected = False
        return {
            "worker": name,
            "task_queue": task_queue,
            "connected": bool(connected),
            "polling": worker.is_running and not worker.is_shutdown and not stop.is_set(),
        }

    health = None
    if settings.health_port:
        health = await serve_health(settings.listen_host, settings.health_port, status)
    log.info(
        "worker started",
        worker=name,
        task_queue=task_queue,
        workflows=[getattr(w, "__name__", str(w)) for w in workflows],
        activities=len(activities),
        temporal=settings.temporal_address,
        namespace=settings.namespace,
        workflow_sandbox=settings.workflow_sandbox,
        mailer=mailer is not None,
        metrics=f"http://{settings.listen_host}:{settings.metrics_port}/metrics"
        if settings.metrics_port
        else None,
        health=f"http://{settings.listen_host}:{settings.health_port}/health"
        if settings.health_port
        else None,
    )
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if stopped.done():
        await worker.shutdown()  # stops polling, waits up to the grace for activities
    await running  # re-raises if the worker died on its own
    if mailer is not None:
        await mailer  # ends its round, then sees the stop
    if health is not None:
        health.close()
    store.close()
    log.info("worker stopped", worker=name)
    return 0
