"""Where a benchmark round runs (`Target`: the dev server or the cluster, and each
variant's client and worker settings) and the worker processes it measures, with their
CPU read from /proc."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client

from tests.bench.profile import Spy
from valuechain.codec import add_payload_key, encrypting
from valuechain.converter import DATA_CONVERTER
from valuechain.process import peak_memory_mb

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")
CODEC = "C"  # A's drivers and workflows, every payload through the codec
VARIANTS = ("A", "B", CODEC)
# A with features switched off in its workers (`tests.bench.features`): what each costs.
WITHOUT = {
    "An": ["notices"],
    "Ap": ["publishing"],
    "Anp": ["notices", "publishing"],
    "Anps": ["notices", "publishing", "summaries"],
}
FEATURE_VARIANTS = ("A", *WITHOUT, "B")


def cpu_of(pid: int, exited_children: bool = False) -> float:
    """CPU seconds a process has used (and, if asked, its children that have exited)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # gone
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    if exited_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime + cstime
    return ticks / TICK


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


class WorkerProcess:
    """Bench workers in processes of their own (`copies` of them, polling one queue), so
    their CPU and memory are theirs."""

    def __init__(
        self,
        address: str,
        task_queue: str,
        db_url: str,
        env: dict[str, str],
        copies: int = 1,
        profile: Path | None = None,
    ) -> None:
        self.args = [address, task_queue, db_url]
        self.env, self.copies, self.profile = env, copies, profile
        self.procs: list[asyncio.subprocess.Process] = []
        self.spies: list[Spy] = []

    async def __aenter__(self) -> WorkerProcess:
        for _ in range(self.copies):
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.bench.worker", *self.args, cwd=ROOT, env=self.env,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            self.procs.append(proc)
        for proc in self.procs:
            assert proc.stdout is not None
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
            assert line.strip() == b"ready", line
        if self.profile is not None:  # from ready on: the round's work, not the start-up
            for n, proc in enumerate(self.procs):
                self.spies.append(Spy(proc.pid, self.profile.with_suffix(f".{n}.txt")))
                await self.spies[-1].start()
        return self

    def cpu(self) -> float:
        return sum(cpu_of(p.pid) for p in self.procs)

    def peak_mb(self) -> float:
        return max((peak_memory_mb(p.pid) or 0.0) for p in self.procs)

    async def __aexit__(self, *_: object) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.write(b"stop\n")
            await proc.stdin.drain()
        for proc in self.procs:
            await asyncio.wait_for(proc.wait(), timeout=60)
        for spy in self.spies:
            await spy.wait()


@dataclass
class Target:
    """Where a scenario runs: the dev server, or the cluster (with its processes' CPU)."""

    name: str
    client: Client
    worker_env: dict[str, str]
    db_url: str
    worker_counts: list[int]
    payload_keys: Path  # the codec variant's key file
    profile: Path | None = None  # where py-spy's samples of each round's workers go
    server_pids: Callable[[], list[int]] = lambda: []
    database_pid: Callable[[], int | None] = lambda: None

    def __post_init__(self) -> None:
        config = self.client.config()
        keys = add_payload_key(self.payload_keys, "bench")
        config["data_converter"] = encrypting(DATA_CONVERTER, keys)
        self.sealed_client = Client(**config)

    def for_variant(self, variant: str) -> tuple[Client, dict[str, str]]:
        """The client and the workers' settings of a variant: only C encrypts; A's
        feature variants switch features off in their workers."""
        if variant == CODEC:
            keys = {
                "VALUECHAIN_ENCRYPTION": "true",
                "VALUECHAIN_PAYLOAD_KEYS": str(self.payload_keys),
            }
            return self.sealed_client, {**self.worker_env, **keys}
        env = {**self.worker_env, "VALUECHAIN_ENCRYPTION": "false"}
        return self.client, {**env, "BENCH_WITHOUT": ",".join(WITHOUT.get(variant, []))}

    @property
    def address(self) -> str:
        return self.client.service_client.config.target_host

    def server_cpu(self) -> float | None:
        pids = self.server_pids()
        return sum(cpu_of(p) for p in pids) if pids else None

    def database_cpu(self) -> float | None:
        """PostgreSQL's CPU: the postmaster, its backends, and those that have exited."""
        pid = self.database_pid()
        if pid is None:
            return None
        return cpu_of(pid, exited_children=True) + sum(cpu_of(c) for c in children_of(pid))
