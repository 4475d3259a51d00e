"""`valuechain run` (`make run`): the dev server with the Web UI and a persistent
database, the workers as separate processes, and the examples started through
`valuechain start`. `valuechain run --cluster` (`make cluster`): the same on the
production topology (valuechain.cluster): PostgreSQL, the Temporal services as separate
processes with mutual TLS, the Web UI server, and two processes of each worker.

Without `--auto` it waits for people (Ctrl-C stops everything); with it, it acts as the
people, drives every example to its end, stops everything and exits 0 (1 if one did not
end well)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from activities.seed import seed_demo_data
from starters.cli import EXIT_FAILED, Failed, load_settings, print_json
from starters.humans import waiting_tasks
from starters.services import VALUECHAIN, Worker, start_service, start_workers, stop_workers
from starters.simulation.people import Ended, Signers, act_as_people, demos, more_demos
from starters.stack import Progress, Topology, cluster_topology, dev_topology, say
from valuechain.client import connect
from valuechain.cluster.binaries import BinaryError
from valuechain.cluster.postgres import PostgresError
from valuechain.cluster.topology import ClusterError
from valuechain.codec import ensure_payload_keys
from valuechain.identity.keys import ensure_local_keys, load_key
from valuechain.identity.users import ensure_demo_users
from valuechain.process import terminal_to_ourselves
from valuechain.records.migrate import open_store
from valuechain.runcontext import load_roster
from valuechain.settings import Settings

SUCCESS = {
    "paid", "approved", "published", "recorded", "onboarded", "closed", "launched", "resolved",
}  # fmt: skip


def _next_run_no(state_dir: Path) -> int:
    counter = state_dir / "demo-runs"
    run_no = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(run_no))
    return run_no


async def launch_examples(
    settings: Settings, env: dict[str, str], every_type: bool = False
) -> list[str]:
    """Start the examples through their starters (`every_type`: one of each workflow
    type, not only `make run`'s six); return their workflow ids."""
    # Blocking database work: off the event loop that also watches the workers.
    await asyncio.to_thread(lambda: seed_demo_data(open_store(settings.effective_database_url)))
    run_no = _next_run_no(settings.state_dir)
    ids = []
    for demo in demos(run_no) + (more_demos(run_no) if every_type else []):
        workflow_id = f"demo-{demo.kind}-{run_no}"
        proc = await asyncio.create_subprocess_exec(
            *VALUECHAIN, "start", demo.kind, *demo.args, demo.id_flag, workflow_id, "--json",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(
                f"valuechain start {demo.kind} exited {proc.returncode}:"
                f" {err.decode().strip() or out.decode().strip()}"
            )
        ids.append(json.loads(out)["workflow_id"])
        say(f"started {workflow_id} with valuechain start {demo.kind}")
    return ids


async def show_waiting(topology: Topology) -> None:
    settings = topology.settings
    client = await connect(settings)
    deadline = asyncio.get_running_loop().time() + 10
    rows: list[Any] = []
    while asyncio.get_running_loop().time() < deadline and not rows:
        rows = await waiting_tasks(client, settings.human_queues)
        if not rows:
            await asyncio.sleep(0.5)  # visibility lags a moment behind new workflows
    say("\nWaiting for people:")
    for w in rows:
        t = w.task
        say(f"  {w.workflow_id} {t.task_id}: role {t.role}, decide one of {t.decisions}")
    vc = ".venv/bin/valuechain"
    keys = topology.settings.keys_dir
    say(decoding_help(topology))
    setup = (
        f"  {topology.shell_setup}   # this cluster's settings\n" if topology.shell_setup else ""
    )
    say(
        f"\nAct on them in the task list, {settings.tasklist_address}: sign in as maria (or"
        f" anyone in the roster) with the password in {settings.state_dir / 'demo-password'}\n"
        "or from the terminal, as an administrator:\n"
        f"{setup}"
        f"  {vc} tasks list\n"
        f"  {vc} tasks decide <workflow-id> <task-id> approve --as maria"
        f" --key {keys / 'admin.key'}\n"
        f"  {vc} tasks outbox\n"
        "Be the carrier and the bank of the order:\n"
        f"  {vc} order show <order-id>\n"
        f"  {vc} order deliver <order-id> --key {keys / 'partners.key'}\n"
        f"  {vc} order pay <order-id> --payment-id P-1 --key {keys / 'partners.key'}\n"
        "The temporal CLI:\n"
        f"  temporal{topology.cli_hint} workflow list --query 'ValuechainWaitingRole=\"manager\"'\n"
        "Roles and people: valuechain/roster.toml. Stop everything with Ctrl-C."
    )


def decoding_help(topology: Topology) -> str:
    """How a person sees encrypted payloads as data: the Web UI and the temporal CLI."""
    settings = topology.settings
    if not settings.payload_keys_path:
        return "\nPayloads are stored in plain JSON (VALUECHAIN_ENCRYPTION=false)."
    token = (
        "$VALUECHAIN_CODEC_TOKEN"
        if settings.codec_token
        else f"$(cat {settings.state_dir / 'codec-token'})"
    )
    # The dev server's UI sends no cookies to its codec endpoint unless the browser is
    # told to; the cluster's UI server is configured to send them.
    browser = (
        ""
        if topology.ui_sends_credentials
        else (
            "  once per browser, in the Web UI's Codec Server settings (the glasses at the top):\n"
            f"    'Use my browser setting', endpoint {settings.codec_url},"
            " tick 'Include cross-origin credentials'\n"
        )
    )
    return (
        f"\nBusiness data is encrypted before it reaches Temporal (keys:"
        f" {settings.payload_keys_path}). To see it decoded:\n"
        f"  the Web UI decodes through the codec server {settings.codec_url} for anyone signed"
        " in to the task list;\n"
        f"{browser}"
        f"  temporal{topology.cli_hint} workflow show --workflow-id <id>"
        f' --codec-endpoint {settings.codec_url} --codec-auth "Bearer {token}"'
    )


async def main_async(
    auto: bool, settings: Settings, cluster: bool = False, results: dict[str, Ended] | None = None
) -> int:
    """Run everything; with `auto`, fill `results` with each example's result."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    keys = ensure_local_keys(settings.keys_dir)
    if settings.encryption and not settings.payload_keys:
        payload_keys = settings.keys_dir / "payload-keys.toml"
        if ensure_payload_keys(payload_keys):
            say(f"made the payload key k1 in {payload_keys}: payloads are encrypted from now on")
    ensure_demo_users(
        settings.users_path,
        list(load_roster(settings.roster_file).people),
        settings.state_dir / "demo-password",
    )
    env = {
        **os.environ,
        "VALUECHAIN_STATE_DIR": str(settings.state_dir.resolve()),
        "VALUECHAIN_DATABASE_URL": settings.effective_database_url,
        "VALUECHAIN_TRUST_FILE": str((settings.keys_dir / "trust.toml").resolve()),
    }
    topology = await (cluster_topology if cluster else dev_topology)(settings, env)
    workers: list[Worker] = []
    code = 0
    try:
        workers = await start_workers(settings, topology.worker_env, topology.copies)
        tasklist = settings.tasklist_address
        env = topology.command_env
        workers.append(await start_service(settings, env, "tasklist", "the task list", tasklist))
        if settings.payload_keys_path:
            # It answers browsers from this stack's Web UI, wherever that is.
            origins = {"VALUECHAIN_CODEC_ORIGINS": f"{settings.codec_origins},{topology.ui}"}
            workers.append(
                await start_service(
                    settings, {**env, **origins}, "codec-server", "the codec server",
                    settings.codec_url,
                )
            )  # fmt: skip
        ids = await launch_examples(topology.settings, topology.command_env)
        say(f"\nTemporal Web UI: {topology.ui}/namespaces/{settings.namespace}/workflows")
        if auto:
            say("\nacting as the people (auto mode):")
            client = await connect(topology.settings)
            ended = await act_as_people(
                client,
                settings.human_queues,
                ids,
                load_roster(settings.roster_file),
                Signers(load_key(keys["tasklist"]), load_key(keys["partners"])),
                say,
            )
            if results is not None:
                results.update(ended)
            say("\nresults:")
            for workflow_id, result in ended.items():
                status = result.status
                # A process's record is its stages or workflows; a workflow's, its steps.
                part, count = result.parts
                say(f"  {workflow_id}: {status} ({count} {part})")
                if status not in SUCCESS:
                    code = 1
        else:
            await show_waiting(topology)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            await stop.wait()
            say("\nstopping...")
    except Exception as err:
        say(f"error: {err}")
        for w in workers:
            say(f"  (worker logs: {w.log_path})")
        code = 1
    finally:
        await stop_workers(workers)
        await topology.stop()
    return code


def run(auto: bool, cluster: bool, as_json: bool = False) -> int:
    settings = load_settings()
    if as_json:
        Progress.stream = sys.stderr
    results: dict[str, Ended] = {}
    try:
        with terminal_to_ourselves():
            code = asyncio.run(main_async(auto, settings, cluster, results))
    except (BinaryError, ClusterError, PostgresError) as err:
        raise Failed(str(err), EXIT_FAILED) from err
    if as_json:
        print_json({"ok": code == 0, "results": results})
    return code
