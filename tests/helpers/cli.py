"""Run the project's commands as a user would: a subprocess, its exit code and output."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.keys import key_files
from valuechain.cluster.binaries import find_temporal_cli

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
    keys = key_files()
    # Nor the machine's own state folder (where `make run` keeps its payload key): a
    # process encrypts only with a key file the test gives, or in a state folder it gives.
    chosen = "VALUECHAIN_PAYLOAD_KEYS" in extra or "VALUECHAIN_STATE_DIR" in extra
    env.update(
        VALUECHAIN_ENCRYPTION="true" if chosen else "false",
        VALUECHAIN_TRUST_FILE=str(keys.trust),
        VALUECHAIN_SIGNING_KEY=str(keys.admin),  # the terminal path: an administrator
        TEMPORAL_ADDRESS=address,
        VALUECHAIN_APPROVALS_QUEUE=task_queue,
        VALUECHAIN_ORDERS_QUEUE=task_queue,
        # A queue of its own: a notifications worker polling the workflows' queue would
        # be handed their bookings, which it does not register.
        VALUECHAIN_NOTIFICATIONS_QUEUE=notifications_queue or f"{task_queue}-notices",
        VALUECHAIN_DATABASE_URL=database_url,
        VALUECHAIN_LOG_FORMAT="json",
        **extra,
    )
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def run_module(
    module: str, *args: str, env: dict[str, str], limit: float = 60, stdin: str | None = None
) -> Ran:
    """`python -m module args...`; `stdin`, when given, is what it reads."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        cwd=ROOT,
        env=env,
        stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    given = None if stdin is None else stdin.encode()
    out, err = await asyncio.wait_for(proc.communicate(given), timeout=limit)
    assert proc.returncode is not None
    return Ran(proc.returncode, out.decode(), err.decode())


async def run_cli(
    *args: str, env: dict[str, str], limit: float = 60, stdin: str | None = None
) -> Ran:
    """The `valuechain` command (`python -m starters`, the console script's code)."""
    return await run_module("starters", *args, env=env, limit=limit, stdin=stdin)


async def spawn(
    module: str, env: dict[str, str], log: Path, args: Sequence[str] = ()
) -> asyncio.subprocess.Process:
    """Start `python -m module args...` as its own process, its output appended to `log`."""
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, *args, cwd=ROOT, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=out,
        )  # fmt: skip


async def spawn_worker(name: str, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """`valuechain worker <name>` as its own process."""
    return await spawn("starters", env, log, ["worker", name])


@asynccontextmanager
async def running_workers(
    names: list[str], env: dict[str, str], logs: Path, copies: int = 1
) -> AsyncIterator[dict[str, asyncio.subprocess.Process]]:
    """Worker services as separate processes (`copies` of each), stopped with SIGTERM at
    the end; yields them by name (`orders-2`) for a test that kills or restarts one."""
    procs: dict[str, asyncio.subprocess.Process] = {}
    try:
        for n in range(1, copies + 1):
            for name in names:
                log = logs / f"{name}-{n}.log"
                procs[f"{name}-{n}"] = await spawn_worker(name, env, log)
        yield procs
    finally:
        for proc in procs.values():
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            await proc.wait()


async def run_temporal_cli(*args: str, limit: float = 60) -> Ran:
    """The `temporal` CLI (the session's pinned binary) as a user runs it."""
    binary = find_temporal_cli(build=False)
    assert binary is not None, "the session's temporal binary is missing"
    proc = await asyncio.create_subprocess_exec(
        str(binary), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=limit)
    assert proc.returncode is not None
    return Ran(proc.returncode, out.decode(), err.decode())
