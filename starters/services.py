"""The processes `valuechain run` starts beside Temporal and stops with it: each worker
service (`valuechain worker <name>`, a log file and ports of its own) and the web services
(the task list, the codec server)."""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from starters.stack import say
from valuechain.settings import Settings
from workers.registry import SERVICES

WORKERS = list(SERVICES)
# The `valuechain` command as this interpreter runs it (a virtual environment's or not).
VALUECHAIN = [sys.executable, "-m", "starters"]


@dataclass
class Worker:
    """A process `make run` started and stops: a worker service, or the task list."""

    name: str
    proc: asyncio.subprocess.Process
    log_path: Path
    log: IO[bytes]
    label: str = ""  # how a person is told of it; default "worker <name>"


async def start_workers(settings: Settings, env: dict[str, str], copies: int = 1) -> list[Worker]:
    """`copies` processes of each worker service, each with ports of its own."""
    logs = settings.state_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    workers = []
    names = [(name, n) for n in range(1, copies + 1) for name in WORKERS]
    for i, (base, n) in enumerate(names):
        name = base if copies == 1 else f"{base}-{n}"
        log_path = logs / f"{name}.log"
        # One host, several workers: each its own metrics and health port.
        ports = {
            "VALUECHAIN_METRICS_PORT": str(
                settings.metrics_port + i if settings.metrics_port else 0
            ),
            "VALUECHAIN_HEALTH_PORT": str(settings.health_port + i if settings.health_port else 0),
        }
        # Opening a local log file is instant; it stays open for the worker's life.
        log = open(log_path, "ab")  # noqa: SIM115, ASYNC230
        # A session of its own: a Ctrl-C in the terminal reaches this process only, which
        # then stops each worker with one SIGTERM (a graceful stop); the terminal's SIGINT
        # and then that SIGTERM would be a second signal, which stops a worker at once.
        proc = await asyncio.create_subprocess_exec(
            *VALUECHAIN, "worker", base, env={**env, **ports}, stdout=log,
            stderr=log, start_new_session=True,
        )  # fmt: skip
        workers.append(Worker(name, proc, log_path, log))
        health = ports["VALUECHAIN_HEALTH_PORT"]
        say(f"started worker {name} (pid {proc.pid}, log {log_path}, health :{health}/health)")
    return workers


async def start_service(
    settings: Settings, env: dict[str, str], command: str, label: str, address: str
) -> Worker:
    """A web service of the stack (the task list, the codec server) beside the workers,
    stopped with them."""
    log_path = settings.state_dir / "logs" / f"{command}.log"
    log = open(log_path, "ab")  # noqa: SIM115, ASYNC230
    proc = await asyncio.create_subprocess_exec(
        *VALUECHAIN, command, env=env, stdout=log, stderr=log, start_new_session=True
    )
    say(f"started {label} (pid {proc.pid}, log {log_path}): {address}")
    return Worker(command, proc, log_path, log, label=label)


async def stop_workers(workers: list[Worker]) -> None:
    for w in workers:
        if w.proc.returncode is None:
            w.proc.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            await asyncio.wait_for(w.proc.wait(), timeout=15)
        except TimeoutError:
            w.proc.kill()
            await w.proc.wait()
        w.log.close()
        say(f"stopped {w.label or f'worker {w.name}'} (exit {w.proc.returncode})")
