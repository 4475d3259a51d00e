"""Run the project's commands as a user would: a subprocess, its exit code and output."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def cli_env(
    address: str,
    task_queue: str,
    database_url: str,
    notifications_queue: str = "",
    **extra: str,
) -> dict[str, str]:
    # The test's own settings only: none of the machine's VALUECHAIN_ or TEMPORAL_ ones.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VALUECHAIN_", "TEMPORAL_"))}
    # Several workers run at once in tests: no fixed ports unless a test asks.
    env.update(VALUECHAIN_METRICS_PORT="0", VALUECHAIN_HEALTH_PORT="0")
    env.update(
        TEMPORAL_ADDRESS=address,
        VALUECHAIN_APPROVALS_QUEUE=task_queue,
        VALUECHAIN_ORDERS_QUEUE=task_queue,
        VALUECHAIN_NOTIFICATIONS_QUEUE=notifications_queue or task_queue,
        VALUECHAIN_DATABASE_URL=database_url,
        VALUECHAIN_LOG_FORMAT="json",
        **extra,
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_module(module: str, *args: str, env: dict[str, str]) -> Ran:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return Ran(proc.returncode, out.decode(), err.decode())
