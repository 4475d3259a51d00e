"""`make bench`: the project's mechanisms (A) against a hand-written temporalio baseline
(B), and A again with the payload codec on its client and workers (C: every payload
encrypted), same dev server (in memory), same worker settings, alternating the variants
over rounds.
`make bench TOPOLOGY=cluster` runs the same scenarios on the cluster too (PostgreSQL, the
Temporal services as separate processes, mutual TLS), with 1, 2 and 4 worker processes,
and reads the server's and PostgreSQL's CPU beside the workers'.

  python -m tests.bench [--quick] [--rounds N] [--topology dev|cluster] [--features]
                        [--profile DIR] [--scenario TEXT]... [--out FILE]

`--features` measures what A's features cost instead of encryption: A, A with its notices
switched off (An), with its publishing off (Ap: no search attribute upserts, no memo), with
both off (Anp), and B; each row's ratio is its throughput over B's.

`--profile DIR` records each round's worker processes with py-spy and ends by saying
where their busy time went (`tests.bench.profile`).

Per scenario and variant: workflows per second, p50 and p95 end-to-end latency, worker
CPU seconds per workflow and peak worker memory (from the worker process's /proc), and
history events and bytes per workflow; medians over the rounds, the ratio A/B
(throughput, higher is better for A) and C/A (what encryption costs). Results are
printed and saved as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from tests.bench import profile as profiled
from tests.bench.drivers import Scenario, bench_settings, scenarios, seed_bench_data
from tests.bench.results import Sample, ratios, summarise, table
from tests.bench.target import FEATURE_VARIANTS, ROOT, VARIANTS, Target, WorkerProcess
from tests.helpers.cluster import open_folder
from valuechain import search
from valuechain.client import connect
from valuechain.cluster.binaries import find_temporal_cli
from valuechain.cluster.ports import Ports
from valuechain.cluster.topology import Cluster
from valuechain.converter import DATA_CONVERTER
from valuechain.process import exit_process
from valuechain.records.migrate import open_store

REPLAYS = 30  # times a round's first workflow is replayed (its first round only)


async def run_many(
    client: Client, count: int, in_flight: int, one: Callable[[], Awaitable[float]]
) -> list[float]:
    gate = asyncio.Semaphore(in_flight)

    async def gated() -> float:
        async with gate:
            return await one()

    return await asyncio.gather(*(gated() for _ in range(count)))


def per_workflow(before: float | None, after: float | None, count: int) -> float | None:
    return None if before is None or after is None else (after - before) / count


async def replayed(history: WorkflowHistory, env: dict[str, str], runs: int) -> float:
    """Its workflow-side CPU milliseconds per run, in a process of its own with the
    round's worker settings (its features, its sandbox, its codec)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.json"
        path.write_text(history.to_json())
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bench.replay", str(path), history.workflow_id,
            str(runs), cwd=ROOT,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"replaying {history.workflow_id} failed: {err.decode()[-2000:]}")
    return float(out.decode().strip())


async def measure(
    target: Target, scenario: Scenario, variant: str, procs: int, replays: int = 0
) -> Sample:
    task_queue = f"bench-{uuid.uuid4().hex[:8]}"
    client, worker_env = target.for_variant(variant)
    driver = scenario.drivers["B" if variant == "B" else "A"]
    ids = [f"{scenario.name[:5].strip()}-{variant}-{uuid.uuid4().hex[:10]}".replace(" ", "")
           for _ in range(scenario.count)]  # fmt: skip
    it = iter(ids)
    profile = None
    if target.profile is not None:
        where = f"{'cluster' if target.name == 'cluster' else 'dev'}{procs}"
        profile = (
            target.profile
            / f"{profiled.slug(scenario.name)}-{variant}-{where}-{uuid.uuid4().hex[:6]}"
        )
    async with WorkerProcess(target.address, task_queue, target.db_url, worker_env,
                             procs, profile) as worker:  # fmt: skip
        cpu0, t0 = worker.cpu(), time.perf_counter()
        server0, db0 = target.server_cpu(), target.database_cpu()
        latencies = await run_many(client, scenario.count, scenario.in_flight,
                                   lambda: driver(client, task_queue, next(it)))  # fmt: skip
        seconds = time.perf_counter() - t0
        cpu = worker.cpu() - cpu0
        server = per_workflow(server0, target.server_cpu(), scenario.count)
        database = per_workflow(db0, target.database_cpu(), scenario.count)
        peak = worker.peak_mb()
    history = await client.get_workflow_handle(ids[0]).fetch_history()
    size = sum(event.ByteSize() for event in history.events)
    replay = await replayed(history, worker_env, replays) if replays else None
    return Sample(scenario.count, seconds, sorted(latencies), cpu / scenario.count, peak,
                  len(history.events), size, server, database, replay)  # fmt: skip


async def run_scenarios(
    target: Target,
    quick: bool,
    rounds: int,
    report: dict[str, Any],
    variants: tuple[str, ...],
    only: tuple[str, ...] = (),
) -> None:
    for scenario in scenarios(quick, only):
        for procs in target.worker_counts:
            samples: dict[str, list[Sample]] = {v: [] for v in variants}
            for r in range(rounds):
                order = variants if r % 2 == 0 else variants[::-1]  # alternate
                for variant in order:
                    # The first round's history only: replaying every round's adds minutes.
                    replays = REPLAYS if r == 0 else 0
                    samples[variant].append(
                        await measure(target, scenario, variant, procs, replays)
                    )
                    print(
                        f"  {target.name}, {procs} worker(s): {scenario.name} [{variant}]"
                        f" round {r + 1}: {samples[variant][-1].per_second:.1f} wf/s",
                        file=sys.stderr,
                    )
            summaries = {v: summarise(samples[v]) for v in variants}
            report["scenarios"].append({
                "topology": target.name, "worker_processes": procs,
                "scenario": scenario.name, "workflows": scenario.count, **summaries,
                "variants": list(variants), "ratios": ratios(summaries),
                "samples": {k: [asdict(s) for s in v] for k, v in samples.items()},
            })  # fmt: skip


async def bench(
    quick: bool,
    rounds: int,
    topology: str,
    variants: tuple[str, ...] = VARIANTS,
    profile: Path | None = None,
    only: tuple[str, ...] = (),
) -> dict[str, Any]:
    report: dict[str, Any] = {"quick": quick, "rounds": rounds, "scenarios": []}
    worker_env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        seed_bench_data(open_store(db_url))
        path = find_temporal_cli()
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(path) if path else None, data_converter=DATA_CONVERTER,
            search_attributes=search.ALL, dev_server_startup_timeout=timedelta(seconds=120),
        )  # fmt: skip
        try:
            dev = Target("dev server", env.client, worker_env, db_url, [1],
                         Path(tmp) / "payload-keys.toml", profile)  # fmt: skip
            await run_scenarios(dev, quick, rounds, report, variants, only)
        finally:
            await env.shutdown()
        if topology == "cluster":
            await bench_cluster(quick, rounds, worker_env, report, variants, profile, only)
    return report


async def bench_cluster(
    quick: bool,
    rounds: int,
    worker_env: dict[str, str],
    report: dict[str, Any],
    variants: tuple[str, ...],
    profile: Path | None = None,
    only: tuple[str, ...] = (),
) -> None:
    """The same scenarios on the cluster, with 1, 2 and 4 worker processes; the system of
    record on its PostgreSQL, as in production."""
    root = open_folder()
    cluster = Cluster(root, Ports.free(), say=lambda m: print(m, file=sys.stderr))
    await cluster.start()
    try:
        await asyncio.to_thread(cluster.postgres.create_database, "bench")
        db_url = cluster.postgres.url("bench")
        seed_bench_data(open_store(db_url))
        client = await connect(cluster.client_settings("commands"))
        target = Target(
            "cluster", client, {**worker_env, **cluster.client_env("workers")}, db_url,
            [1, 2, 4], root / "payload-keys.toml", profile,
            server_pids=lambda: [p.proc.pid for n, p in cluster.processes.items()
                                 if n != "ui-server"],
            database_pid=cluster.postgres.pid,
        )  # fmt: skip
        await run_scenarios(target, quick, rounds, report, variants, only)
    finally:
        await cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser(description="Benchmark the project against a baseline.")
    p.add_argument("--quick", action="store_true", help="small sizes: about 3.5 minutes")
    p.add_argument(
        "--rounds", type=int, default=None, help="rounds per variant (default 3, quick 2)"
    )
    p.add_argument(
        "--topology", choices=["dev", "cluster"], default="dev",
        help="dev: the dev server; cluster: the dev server, then the cluster",
    )  # fmt: skip
    p.add_argument(
        "--features", action="store_true",
        help="what A's features cost: A with its notices, its publishing, both, or both and"
        " its summaries switched off",
    )  # fmt: skip
    p.add_argument(
        "--profile", type=Path, default=None, metavar="DIR",
        help="record each round's workers with py-spy into DIR and say where their time went",
    )  # fmt: skip
    p.add_argument(
        "--scenario", action="append", default=[], metavar="TEXT",
        help="only the scenarios whose name holds TEXT (again for more): 'order', 'chain'",
    )  # fmt: skip
    p.add_argument("--out", default=".valuechain/bench.json", help="where the JSON goes")
    args = p.parse_args()
    only = tuple(args.scenario)
    if only and not scenarios(args.quick, only):
        names = "; ".join(s.name for s in scenarios(args.quick))
        p.error(f"--scenario: no scenario's name holds {' or '.join(map(repr, only))} ({names})")
    rounds = args.rounds or (2 if args.quick else 3)
    started = time.perf_counter()
    variants = FEATURE_VARIANTS if args.features else VARIANTS
    if args.profile is not None:
        shutil.rmtree(args.profile, ignore_errors=True)  # this run's samples only
    report = asyncio.run(bench(args.quick, rounds, args.topology, variants, args.profile, only))
    report["topology"] = args.topology
    report["seconds"] = time.perf_counter() - started
    report["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    # The workers read it as the services do (VALUECHAIN_WORKFLOW_SANDBOX); A and B alike.
    report["workflow_sandbox"] = bench_settings().workflow_sandbox
    report["notice_delivery"] = bench_settings().notice_delivery
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(table(report))
    sandbox = "in the sandbox" if report["workflow_sandbox"] else "without the sandbox"
    notices = report["notice_delivery"]
    print(f"\n{report['seconds']:.0f}s, workflows run {sandbox}, notices {notices}; JSON in {out}")
    if args.profile is not None:
        rows = [(s["scenario"], v, s[v]["worker_cpu_seconds_per_workflow"])
                for s in report["scenarios"] if s.get("topology") != "cluster"
                for v in s["variants"]]  # fmt: skip
        print(
            f"\nWhere the workers' busy time went (py-spy, dev server; samples in {args.profile}):"
        )
        print(profiled.table(args.profile, rows, "dev1"))
    return 0


if __name__ == "__main__":
    exit_process(main())
