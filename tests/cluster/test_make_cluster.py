"""`make cluster` as a person runs it: everything starts, the examples wait for people,
payloads are encrypted with a key it made and the Web UI server asks the codec server
(sending the browser's sign-in), and Ctrl-C stops everything in order and exits 0. A
second start while it runs is refused naming the ports in use."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import httpx
import pytest

from tests.helpers.cli import ROOT, cli_env, free_port
from tests.helpers.cluster import open_folder
from valuechain.cluster.ports import Ports

pytestmark = pytest.mark.cluster


def free_standard_ports() -> Ports:
    """A frontend port whose standard neighbours (history, matching, membership) are free."""
    while True:
        candidate = Ports.free()
        ports = Ports.standard(candidate.frontend, candidate.postgres, candidate.ui)
        if ports.frontend > 1000 and not ports.taken():
            return ports


async def test_make_cluster_runs_the_examples_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    state = open_folder()
    ports = free_standard_ports()
    codec_url = f"http://localhost:{free_port()}"
    env = cli_env(
        ports.address, "", "", VALUECHAIN_STATE_DIR=str(state),
        VALUECHAIN_CLUSTER_POSTGRES_PORT=str(ports.postgres),
        VALUECHAIN_CLUSTER_UI_PORT=str(ports.ui),
        VALUECHAIN_CODEC_PORT=codec_url.rpartition(":")[2],
    )  # fmt: skip
    env["VALUECHAIN_LOG_FORMAT"] = "console"
    for name in ("VALUECHAIN_APPROVALS_QUEUE", "VALUECHAIN_ORDERS_QUEUE",
                 "VALUECHAIN_NOTIFICATIONS_QUEUE", "VALUECHAIN_DATABASE_URL"):  # fmt: skip
        del env[name]  # the defaults, as `make cluster` has them
    out = tmp_path / "make-cluster.out"
    with out.open("wb") as sink:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "starters", "run", "--cluster", cwd=ROOT, env=env,
            stdout=sink, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = asyncio.get_running_loop().time() + 240
        while "Roles and people" not in out.read_text():
            assert proc.returncode is None, out.read_text()
            assert asyncio.get_running_loop().time() < deadline, out.read_text()
            await asyncio.sleep(0.5)  # a person reads the screen until it says what to do
        again = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "starters", "run", "--cluster", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        second, _ = await asyncio.wait_for(again.communicate(), 60)
        async with httpx.AsyncClient() as http:
            ui = (await http.get(f"http://localhost:{ports.ui}/api/v1/settings")).json()
            codec_health = (await http.get(f"{codec_url}/health")).status_code
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        code = await asyncio.wait_for(proc.wait(), 120)
    finally:
        if proc.returncode is None:
            proc.kill()
    said = out.read_text()
    assert code == 0, said
    assert f"ports in use: {ports.frontend} (frontend)" in second.decode()
    assert again.returncode == 1
    assert "Waiting for people:" in said
    assert f"made the payload key k1 in {state / 'keys' / 'payload-keys.toml'}" in said
    assert ui["Codec"]["Endpoint"] == codec_url
    assert ui["Codec"]["IncludeCredentials"] is True
    assert codec_health == 200
    assert f"--codec-endpoint {codec_url} --codec-auth" in said
    assert f"Temporal Web UI: http://localhost:{ports.ui}/namespaces/default/workflows" in said
    env_file = state / "cluster" / "commands.env"
    assert f"set -a; . {env_file}; set +a" in said
    settings = await asyncio.to_thread(env_file.read_text)
    assert (await asyncio.to_thread(env_file.stat)).st_mode & 0o777 == 0o600  # a password
    assert "TEMPORAL_PROFILE=cluster-commands\n" in settings
    assert f"VALUECHAIN_UI_PORT={ports.ui}\n" in settings
    stops = [line for line in said.splitlines() if line.startswith("stopped")]
    order = [
        "stopped Temporal ui-server", "stopped Temporal frontend", "stopped Temporal worker",
        "stopped Temporal matching", "stopped Temporal history-2",
        "stopped Temporal history-1", "stopped PostgreSQL",
    ]  # fmt: skip
    assert "stopped the task list (exit 0)" in stops
    assert "stopped the codec server (exit 0)" in stops
    ours = [s for s in stops if s.startswith(("stopped worker", "stopped the"))]
    assert [s for s in stops if s not in ours] == order
    workers = [s for s in stops if s.startswith("stopped worker")]
    assert len(workers) == 6
    assert all(s.endswith("(exit 0)") for s in workers), workers
    assert stops.index(order[0]) > max(stops.index(w) for w in ours)  # ours first
    pidfile = state / "cluster" / "postgres" / "data" / "postmaster.pid"
    assert not await asyncio.to_thread(pidfile.exists)  # PostgreSQL stopped too
