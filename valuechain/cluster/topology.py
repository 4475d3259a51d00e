"""The production topology on one machine: PostgreSQL, the Temporal services as separate
processes (frontend, matching, worker, and two history instances sharing the shards),
mutual TLS everywhere, and the Web UI server, all under one folder of the state dir.

    cluster = Cluster(state_dir / "cluster", Ports.standard(7233, 55432, 8080), shards=16)
    await cluster.start()        # idempotent set-up, then every process
    cluster.client_env("workers")  # TEMPORAL_* settings for a kind of client
    await cluster.kill("history-1"); await cluster.start_service("history-1")   # drills
    await cluster.stop()         # in order: UI, frontend, worker, matching, history, database

Everything a start needs is made when missing: certificates (valuechain.cluster.tls), the
database server (valuechain.cluster.postgres), Temporal's schemas (schema.sh, shared with
docker-compose.yml), the namespace and search attributes (valuechain.cluster.setup). The
server's configuration is one template (config/valuechain.yaml) that every process renders
from its own environment (valuechain.cluster.environments).
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO

from valuechain.cluster import binaries, profiles, tls
from valuechain.cluster.environments import (
    CONFIG_DIR,
    CONFIG_ENV,
    SCHEMA_SCRIPT,
    SERVICES,
    server_env,
    sql_tool_env,
    ui_env,
    ui_url,
)
from valuechain.cluster.ports import Ports
from valuechain.cluster.postgres import PostgresError, PostgresServer, find_bin_dir
from valuechain.cluster.setup import prepare
from valuechain.settings import Settings

RECORDS_DB = "valuechain"  # the system of record's database on the same server


class ClusterError(RuntimeError):
    pass


@dataclass
class Process:
    name: str
    proc: asyncio.subprocess.Process
    log: IO[bytes]


@dataclass
class Cluster:
    root: Path
    ports: Ports
    shards: int = 16
    namespace: str = "default"
    say: Callable[[str], None] = print
    fsync: bool = True
    # The codec server the Web UI asks to decode payloads, sending the browser's
    # cookies (the task list's sign-in); empty: the UI shows payloads as stored.
    codec_endpoint: str = ""
    processes: dict[str, Process] = field(default_factory=dict)
    found: dict[str, Path] = field(default_factory=dict)  # binaries, found once

    async def binary(self, b: binaries.GoBinary) -> Path:
        if b.name not in self.found:
            self.found[b.name] = await asyncio.to_thread(binaries.require, b)
        return self.found[b.name]

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.tls = tls.Layout(self.root / "tls")
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise ClusterError(
                "no PostgreSQL server binaries: apt-get install postgresql (Debian's package)"
            )
        self.postgres = PostgresServer(bin_dir, self.root / "postgres", self.ports.postgres,
                                       fsync=self.fsync)  # fmt: skip

    # -- what clients use ------------------------------------------------------------------

    @property
    def profile_file(self) -> Path:
        return self.root / "temporal.toml"

    @property
    def records_url(self) -> str:
        return self.postgres.url(RECORDS_DB)

    @property
    def ui_url(self) -> str:
        return ui_url(self.ports)

    def client_env(self, kind: str) -> dict[str, str]:
        """Temporal's client settings for a kind of client (workers, commands, cli): its
        profile in the cluster's `temporal.toml`."""
        return profiles.client_env(self.profile_file, kind)

    def client_settings(self, kind: str = "commands", **env: str) -> Settings:
        return Settings.from_env({**os.environ, **env, **self.client_env(kind)})

    def _write_profiles(self) -> None:
        profiles.write(self.profile_file, self.ports.address, self.namespace, self.tls)

    # -- set-up ----------------------------------------------------------------------------

    async def _run(self, what: str, *cmd: str, env: dict[str, str]) -> None:
        proc = await asyncio.create_subprocess_exec(
            *cmd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise ClusterError(f"{what} failed (exit {proc.returncode}):\n{out.decode()[-3000:]}")

    async def _database(self) -> None:
        if await asyncio.to_thread(self.postgres.init):
            self.say(f"  created the PostgreSQL cluster in {self.postgres.data}")
        await asyncio.to_thread(self.postgres.start)
        self.say(f"  PostgreSQL on 127.0.0.1:{self.ports.postgres} (log {self.postgres.log_file})")
        if await asyncio.to_thread(self.postgres.create_database, RECORDS_DB):
            self.say(f"  created the system of record's database {RECORDS_DB}")
        sql_tool = await self.binary(binaries.SQL_TOOL)
        env = sql_tool_env(sql_tool, self.ports, self.postgres.user, self.postgres.password)
        await self._run("schema set-up (schema.sh)", "sh", str(SCHEMA_SCRIPT), env=env)
        self.say("  Temporal's databases temporal and temporal_visibility migrated")

    async def start_service(self, name: str) -> None:
        server = await self.binary(binaries.SERVER)
        service = name.split("-")[0]
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        env = server_env(name, self.ports, self.postgres.user, self.postgres.password,
                         self.shards, self.tls.root)  # fmt: skip
        log = open(logs / f"{name}.log", "ab")  # noqa: SIM115, ASYNC230 (kept open while it runs)
        proc = await asyncio.create_subprocess_exec(
            str(server), "--root", str(CONFIG_DIR.parent), "--config", CONFIG_DIR.name,
            "--env", CONFIG_ENV, "--allow-no-auth", "start", "--service", service,
            env=env, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        self.processes[name] = Process(name, proc, log)

    async def _start_ui(self) -> None:
        ui = await self.binary(binaries.UI_SERVER)
        module = await asyncio.to_thread(binaries.module_dir, binaries.UI_SERVER)
        env = ui_env(self.ports, self.namespace, self.tls, self.codec_endpoint)
        log = open(self.root / "logs" / "ui-server.log", "ab")  # noqa: SIM115, ASYNC230
        proc = await asyncio.create_subprocess_exec(
            str(ui), "--root", str(module), "--env", "docker", "start",
            env=env, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        self.processes["ui-server"] = Process("ui-server", proc, log)
        await self._wait_port(self.ports.ui, "the Web UI server", timedelta(seconds=60))

    async def _wait_port(self, port: int, what: str, limit: timedelta) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit.total_seconds()
        while loop.time() < deadline:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                return
            except OSError:
                self._check_alive()
                await asyncio.sleep(0.2)  # not listening yet
        raise ClusterError(f"{what} did not listen on port {port} within {limit}")

    def _check_alive(self) -> None:
        for p in self.processes.values():
            if p.proc.returncode is not None:
                raise ClusterError(
                    f"{p.name} exited ({p.proc.returncode}): see {self.root / 'logs'}/{p.name}.log"
                )

    async def start(self) -> None:
        """Set up what is missing, start every process, return once clients can work."""
        busy = self.ports.taken()
        if busy:
            raise ClusterError(
                f"ports in use: {', '.join(busy)}. Another Temporal (a `make run` dev server,"
                " an earlier cluster) may still run: stop it, or move the cluster with"
                " TEMPORAL_ADDRESS, VALUECHAIN_CLUSTER_POSTGRES_PORT, VALUECHAIN_CLUSTER_UI_PORT"
            )
        try:
            await self._start()
        except BaseException:
            await self.stop()  # what did start, stops again
            raise

    async def _start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.say(f"cluster state in {self.root}")
        await asyncio.to_thread(tls.ensure_certificates, self.tls.root)
        self._write_profiles()
        self.say(f"  mutual TLS: CA and certificates in {self.tls.root}")
        # Built (or found) before anything starts: a first build takes minutes.
        for b in binaries.CLUSTER:
            await self.binary(b)
        try:
            await self._database()
        except PostgresError as err:
            raise ClusterError(str(err)) from err
        # The first process writes the cluster's metadata into a new database; processes
        # started beside it would race it for that record and exit. The rest follow once
        # it listens.
        first, *rest = SERVICES
        await self.start_service(first)
        await self._wait_port(self.ports.history[0][0], first, timedelta(seconds=120))
        for name in rest:
            await self.start_service(name)
        self.say(
            f"  Temporal services {', '.join(SERVICES)} started"
            f" ({self.shards} history shards; logs in {self.root / 'logs'})"
        )
        await self.wait_ready()
        await self._start_ui()
        self.say(f"  Web UI server on {self.ui_url}")

    async def wait_ready(self, limit: timedelta = timedelta(seconds=180)) -> None:
        """Wait for the frontend to answer over mutual TLS, with the namespace and search
        attributes in place (registered when missing)."""
        await self._wait_port(self.ports.frontend, "the frontend", limit)
        await prepare(
            self.client_settings("commands"), wait=limit, say=lambda m: self.say(f"  {m}")
        )

    # -- drills and stopping -----------------------------------------------------------

    async def kill(self, name: str) -> None:
        """SIGKILL a service process, as a machine dying would."""
        p = self.processes.pop(name)
        p.proc.send_signal(signal.SIGKILL)
        await p.proc.wait()
        p.log.close()

    async def stop_service(self, name: str, limit: timedelta = timedelta(seconds=30)) -> None:
        p = self.processes.pop(name, None)
        if p is None or p.proc.returncode is not None:
            return
        p.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(p.proc.wait(), limit.total_seconds())
        except TimeoutError:
            p.proc.kill()
            await p.proc.wait()
        p.log.close()

    async def restart_service(self, name: str) -> None:
        await self.stop_service(name)
        await self.start_service(name)
        if name == "frontend":
            await self.wait_ready()

    async def restart_postgres(self) -> None:
        await asyncio.to_thread(self.postgres.restart)

    async def stop(self) -> None:
        """Stop in order: the UI, the frontend (no new requests), the worker service,
        matching, history, and last the database."""
        for name in ("ui-server", "frontend", "worker", "matching", "history-2", "history-1"):
            if name in self.processes:
                await self.stop_service(name)
                self.say(f"stopped Temporal {name}")
        for name in list(self.processes):
            await self.stop_service(name)
        try:
            await asyncio.to_thread(self.postgres.stop)
            self.say("stopped PostgreSQL")
        except PostgresError as err:
            self.say(f"PostgreSQL did not stop cleanly: {err}")
