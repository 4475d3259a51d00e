"""What `valuechain run` runs Temporal on: the dev server (with its Web UI and a
persistent database) or the cluster (valuechain.cluster), and what a person's shell and
the workers need to reach it."""

from __future__ import annotations

import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO

from temporalio.testing import WorkflowEnvironment

from valuechain import search
from valuechain.cluster.binaries import find_temporal_cli
from valuechain.cluster.ports import Ports
from valuechain.cluster.topology import Cluster
from valuechain.converter import converter_for
from valuechain.private import write_private
from valuechain.settings import Settings


class Progress:
    """Where progress for people goes: stdout, or stderr when stdout carries JSON."""

    stream: IO[str] = sys.stdout


def say(message: str) -> None:
    print(message, file=Progress.stream, flush=True)


def _split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return (host or "localhost"), int(port)


def _listening(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


async def start_server(settings: Settings) -> WorkflowEnvironment | None:
    """Start the dev server, or return None when one already listens at the address."""
    host, port = _split_address(settings.temporal_address)
    if _listening(host, port):
        say(f"using the Temporal server already listening at {settings.temporal_address}")
        return None
    path = find_temporal_cli()
    db = (settings.state_dir / "temporal.db").resolve()
    say(f"starting the Temporal dev server on port {port} (history kept in {db})")
    # Encrypted payloads: its Web UI asks the codec server to show them decoded.
    codec = ["--ui-codec-endpoint", settings.codec_url] if settings.payload_keys_path else []
    return await WorkflowEnvironment.start_local(
        namespace=settings.namespace,
        data_converter=converter_for(settings.payload_keys_path),
        search_attributes=search.ALL,
        ip="127.0.0.1" if host in ("localhost", "127.0.0.1") else host,
        port=port,
        ui=True,
        ui_port=settings.ui_port,
        dev_server_existing_path=str(path) if path else None,
        dev_server_database_filename=str(db),
        dev_server_startup_timeout=timedelta(seconds=120),
        dev_server_extra_args=codec,
    )


@dataclass
class Topology:
    """What the examples run on: where clients connect, and how to tell a person."""

    settings: Settings  # what the commands connect with
    worker_env: dict[str, str]
    command_env: dict[str, str]
    copies: int  # processes of each worker service
    ui: str
    shell_setup: str  # what a shell runs first for its commands to reach this Temporal
    cli_hint: str
    stop: Callable[[], Awaitable[None]]
    ui_sends_credentials: bool = False  # the Web UI sends cookies to the codec server


async def dev_topology(settings: Settings, env: dict[str, str]) -> Topology:
    server = await start_server(settings)

    async def stop() -> None:
        if server is not None:
            await server.shutdown()
            say("stopped the Temporal dev server")

    return Topology(settings, env, env, 1, f"http://localhost:{settings.ui_port}", "", "", stop)


async def cluster_topology(settings: Settings, env: dict[str, str]) -> Topology:
    _, port = _split_address(settings.temporal_address)
    cluster = Cluster(
        settings.state_dir / "cluster",
        Ports.standard(port, settings.cluster_postgres_port, settings.cluster_ui_port),
        shards=settings.cluster_history_shards,
        namespace=settings.namespace,
        say=say,
        codec_endpoint=settings.codec_url if settings.payload_keys_path else "",
    )
    await cluster.start()
    records = settings.database_url or cluster.records_url
    env = {**env, "VALUECHAIN_DATABASE_URL": records}
    # What a person's own commands need to reach the cluster (its profile, the system of
    # record, the UI's port for links), in a file readable by its owner only: the
    # database URL carries the password.
    commands = {
        **cluster.client_env("commands"),
        "VALUECHAIN_DATABASE_URL": records,
        "VALUECHAIN_UI_PORT": str(cluster.ports.ui),
    }
    env_file = cluster.root / "commands.env"
    write_private(env_file, "".join(f"{k}={v}\n" for k, v in commands.items()).encode())
    return Topology(
        settings=cluster.client_settings("commands", **env),
        worker_env={**env, **cluster.client_env("workers")},
        command_env={**env, **commands},
        copies=2,
        ui=cluster.ui_url,
        shell_setup=f"set -a; . {env_file}; set +a",
        cli_hint=f" --config-file {cluster.profile_file} --profile cluster-cli",
        stop=cluster.stop,
        ui_sends_credentials=True,
    )
