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
import functools
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from activities.seed import seed_demo_data
from starters.simulation.partners import signed_event, waits_for_delivery, waits_for_payment
from tests.bench import profile as profiled
from tests.bench.baseline.chain import ChainB
from tests.bench.baseline.fanout import FanOutB
from tests.bench.baseline.human import HumanB
from tests.bench.baseline.o2c import BaselineOrderToCash
from tests.bench.mechanisms.chain import ChainA
from tests.bench.mechanisms.fanout import FanOutA
from tests.bench.mechanisms.human import HumanA
from tests.bench.models import BenchInput, Decision
from tests.bench.profile import Spy
from tests.helpers import PARTNER_KEY, run_context, signed
from tests.helpers.cluster import open_folder
from tests.helpers.orders import SHIPMENT_TABLE
from valuechain import search
from valuechain.client import connect
from valuechain.cluster.binaries import find_temporal_cli
from valuechain.cluster.ports import Ports
from valuechain.cluster.topology import Cluster
from valuechain.codec import add_payload_key, encrypting
from valuechain.converter import DATA_CONVERTER
from valuechain.models.common import RunContext
from valuechain.models.human import DecisionInput
from valuechain.models.orders import (
    DeliveryInput,
    O2CSettings,
    OrderLine,
    OrderRequest,
    OrderToCashInput,
    PaymentInput,
)
from valuechain.process import exit_process, peak_memory_mb
from valuechain.records.migrate import open_store
from valuechain.records.store import SystemOfRecord
from valuechain.settings import Settings
from workflows.human import HumanWorkflow
from workflows.order_to_cash.process import OrderToCash

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")
CODEC = "C"  # A's drivers and workflows, every payload through the codec
VARIANTS = ("A", "B", CODEC)
REPLAYS = 30  # times a round's first workflow is replayed (its first round only)
# A with features switched off in its workers (`tests.bench.features`): what each costs.
WITHOUT = {
    "An": ["notices"],
    "Ap": ["publishing"],
    "Anp": ["notices", "publishing"],
    "Anps": ["notices", "publishing", "summaries"],
}
FEATURE_VARIANTS = ("A", *WITHOUT, "B")
ORDER_POLL = 0.05  # seconds between an order driver's queries, A's and B's alike
BENCH_SKU = "BENCH-KETTLE"  # what A's orders buy: stock for any run (`seed_bench_data`)


@dataclass
class Sample:
    workflows: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float
    peak_memory_mb: float
    history_events: int
    history_bytes: int  # the history's events as stored (payloads encoded: C's encrypted)
    server_cpu_seconds: float | None = None  # per workflow, where the server is measured
    database_cpu_seconds: float | None = None
    replay_cpu_ms: float | None = None  # its first workflow replayed (`tests.bench.replay`)

    @property
    def per_second(self) -> float:
        return self.workflows / self.seconds


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


Driver = Callable[[Client, str, str], Awaitable[float]]  # returns one workflow's latency


async def run_many(
    client: Client, count: int, in_flight: int, one: Callable[[], Awaitable[float]]
) -> list[float]:
    gate = asyncio.Semaphore(in_flight)

    async def gated() -> float:
        async with gate:
            return await one()

    return await asyncio.gather(*(gated() for _ in range(count)))


@functools.cache
def bench_settings() -> Settings:
    """Read once, not at every workflow a driver starts: the settings the workers and
    this process share (the sandbox, how notices go)."""
    return Settings.from_env(os.environ)


def bench_context(task_queue: str) -> RunContext:
    """The tests' run context, notices sent as VALUECHAIN_NOTICE_DELIVERY says (as the
    settings give every run started from a starter)."""
    return run_context(task_queue, notices=bench_settings().notice_delivery)


def workflow_driver(workflow: Any, steps: int) -> Driver:
    async def one(client: Client, task_queue: str, wid: str) -> float:
        started = time.perf_counter()
        inp = BenchInput(steps=steps, context=bench_context(task_queue))
        await client.execute_workflow(workflow, inp, id=wid, task_queue=task_queue)
        return time.perf_counter() - started

    return one


async def approve(handle: WorkflowHandle[Any, Any], task_id: str) -> None:
    """maria approves, through the task list (signed)."""
    decision = DecisionInput(task_id=task_id, actor="maria", decision="approve")
    await handle.execute_update(HumanWorkflow.decide, signed(handle.id, decision))


def human_driver(variant: str) -> Driver:
    """Latency here is the round trip: a decision sent to the next step started."""

    async def one(client: Client, task_queue: str, wid: str) -> float:
        inp = BenchInput(steps=2, context=bench_context(task_queue))
        if variant == "A":
            h = await client.start_workflow(HumanA.run, inp, id=wid, task_queue=task_queue)
            first = await wait_for(lambda: h.query(HumanWorkflow.state),
                                   lambda s: bool(s.open_tasks))  # fmt: skip
            sent = time.time()
            await approve(h, first.open_tasks[0].task_id)
            second = await wait_for(lambda: h.query(HumanWorkflow.state),
                                    lambda s: s.current_step == "second")  # fmt: skip
            opened = second.open_tasks[0].opened_at.timestamp()
            await approve(h, second.open_tasks[0].task_id)
        else:
            hb = await client.start_workflow(HumanB.run, inp, id=wid, task_queue=task_queue)
            await wait_for(lambda: hb.query(HumanB.opened_at), lambda o: "first" in o)
            sent = time.time()
            await hb.execute_update(HumanB.decide, Decision(step="first"))
            opened_at = await wait_for(lambda: hb.query(HumanB.opened_at),
                                       lambda o: "second" in o)  # fmt: skip
            opened = opened_at["second"]
            await hb.execute_update(HumanB.decide, Decision(step="second"))
        return max(0.0, opened - sent)

    return one


def seed_bench_data(store: SystemOfRecord) -> None:
    """The demo data, and a product every order of a run can reserve: with the demo's
    500 kettles, a features run's later orders (750 of A's) went short, each through
    production (three more activities and a timer) where B's did the same work as ever."""
    seed_demo_data(store)
    store.add_product(BENCH_SKU, "Bench kettle", Decimal("49.90"), Decimal("1.2"), 10**9)


def o2c_driver(variant: str) -> Driver:
    """Latency here is an order's whole life. A's and B's drivers wait alike: the same
    query polled at the same pace, the event sent as soon as the order waits for it (a
    partner's system looking every half second, as `settle` does, added up to 0.75 s an
    order to A's latency and spared A's worker the queries B's answered)."""
    settings = O2CSettings(production_lead_time=timedelta(0))

    async def one(client: Client, task_queue: str, wid: str) -> float:
        started = time.perf_counter()
        if variant == "A":
            request = OrderRequest(order_id=wid, customer="C-ACME",
                                   lines=[OrderLine(sku=BENCH_SKU, qty=1)],
                                   due_date=date.today() + timedelta(days=30))  # fmt: skip
            h = await client.start_workflow(
                OrderToCash.run,
                OrderToCashInput(request=request, context=bench_context(task_queue),
                                 shipment_table=SHIPMENT_TABLE, settings=settings),
                id=wid, task_queue=task_queue,
            )  # fmt: skip
            view = await wait_for(
                lambda: h.query(OrderToCash.order), waits_for_delivery, ORDER_POLL
            )
            delivery = DeliveryInput(shipment=view.shipment, signed_by="bench carrier")
            await h.execute_update(OrderToCash.shipment_delivered, signed_event(
                PARTNER_KEY, wid, "shipment_delivered", delivery))  # fmt: skip
            view = await wait_for(lambda: h.query(OrderToCash.order), waits_for_payment, ORDER_POLL)
            payment = PaymentInput(payment_id=f"{wid}-pay", amount=view.outstanding)
            await h.execute_update(OrderToCash.payment_received, signed_event(
                PARTNER_KEY, wid, "payment_received", payment))  # fmt: skip
            result = await h.result()
            assert result.status == "paid", result
        else:
            hb = await client.start_workflow(BaselineOrderToCash.run, wid, id=wid,
                                             task_queue=task_queue)  # fmt: skip
            for event, stage in (("delivered", "shipping"), ("paid", "collection")):

                def at(current: str, stage: str = stage) -> bool:
                    return current == stage

                await wait_for(lambda: hb.query(BaselineOrderToCash.current), at, ORDER_POLL)
                await hb.execute_update(BaselineOrderToCash.event, event)
            await hb.result()
        return time.perf_counter() - started

    return one


async def wait_for(
    get: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool], every: float = 0.01
) -> Any:
    """Poll a query as a user's client would: the only view into a running workflow."""
    for _ in range(int(30 / every)):
        value = await get()
        if ok(value):
            return value
        await asyncio.sleep(every)
    raise TimeoutError("the workflow never reached the expected state")


@dataclass
class Scenario:
    name: str
    count: int
    in_flight: int
    drivers: dict[str, Driver]


def scenarios(quick: bool, only: tuple[str, ...] = ()) -> list[Scenario]:
    """Every scenario, or those whose name holds one of `only` (`--scenario`)."""
    q = 0.2 if quick else 1.0

    def n(full: int) -> int:
        return max(5, int(full * q))

    every = [
        Scenario("chain of 10 steps, 50 in flight", n(200), 50,
                 {"A": workflow_driver(ChainA.run, 10), "B": workflow_driver(ChainB.run, 10)}),
        Scenario("fan-out of 50 with a join", n(50), 10,
                 {"A": workflow_driver(FanOutA.run, 50), "B": workflow_driver(FanOutB.run, 50)}),
        Scenario("order-to-cash, events answered at once", n(50), 10,
                 {"A": o2c_driver("A"), "B": o2c_driver("B")}),
        Scenario("1,000 one-step workflows", n(1000), 200,
                 {"A": workflow_driver(ChainA.run, 1), "B": workflow_driver(ChainB.run, 1)}),
        Scenario("human-step round trip", n(50), 10,
                 {"A": human_driver("A"), "B": human_driver("B")}),
    ]  # fmt: skip
    return [s for s in every if not only or any(o in s.name for o in only)]


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


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p * len(values)))]


def summarise(samples: list[Sample]) -> dict[str, float | None]:
    med = statistics.median
    server = [s.server_cpu_seconds for s in samples if s.server_cpu_seconds is not None]
    database = [s.database_cpu_seconds for s in samples if s.database_cpu_seconds is not None]
    replays = [s.replay_cpu_ms for s in samples if s.replay_cpu_ms is not None]
    return {
        "workflows_per_second": med(s.per_second for s in samples),
        "p50_seconds": med(pct(s.latencies, 0.50) for s in samples),
        "p95_seconds": med(pct(s.latencies, 0.95) for s in samples),
        "worker_cpu_seconds_per_workflow": med(s.cpu_seconds for s in samples),
        "server_cpu_seconds_per_workflow": med(server) if server else None,
        "database_cpu_seconds_per_workflow": med(database) if database else None,
        "history_events_per_workflow": med(s.history_events for s in samples),
        "history_bytes_per_workflow": med(s.history_bytes for s in samples),
        "peak_worker_memory_mb": med(s.peak_memory_mb for s in samples),
        "replay_cpu_ms_per_workflow": med(replays) if replays else None,
    }


def ratios(summaries: dict[str, dict[str, float | None]]) -> dict[str, float]:
    """Throughput ratios: A/B and C/A (what encryption costs), or each of A's feature
    variants over B."""

    def rate(v: str) -> float:
        return summaries[v]["workflows_per_second"] or 0.0

    if CODEC in summaries:
        return {"A": rate("A") / (rate("B") or 1), CODEC: rate(CODEC) / (rate("A") or 1)}
    return {v: rate(v) / (rate("B") or 1) for v in summaries if v != "B"}


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


def table(report: dict[str, Any]) -> str:
    """One row per scenario, topology, worker processes and variant. cpu is the workers'
    CPU per workflow; rpl the workflow side of it, milliseconds per run, by replaying the
    first round's first history; srv and pg the server's and PostgreSQL's, where measured;
    the ratio is A/B on A's row, C/A (the codec's cost) on C's, and a feature variant's
    throughput over B's on its row."""
    rows = [f"{'scenario':40} {'on':7} {'w':>1} {'':4} {'wf/s':>6} {'p50 s':>6} {'p95 s':>6}"
            f" {'cpu s/wf':>8} {'rpl ms':>6} {'srv s/wf':>8} {'pg s/wf':>7} {'events':>6} {'KB':>5}"
            f" {'mem MB':>6}"
            f" {'ratio':>5}"]  # fmt: skip

    def opt(value: float | None, width: int, decimals: int = 4) -> str:
        return f"{value:{width}.{decimals}f}" if value is not None else f"{'-':>{width}}"

    for s in report["scenarios"]:
        on = "cluster" if s.get("topology") == "cluster" else "dev"
        for v in s["variants"]:
            m = s[v]
            ratio_text = f"{s['ratios'][v]:5.2f}" if v in s["ratios"] else ""
            rows.append(
                f"{s['scenario'][:40]:40} {on:7} {s.get('worker_processes', 1):1} {v:4}"
                f" {m['workflows_per_second']:6.1f}"
                f" {m['p50_seconds']:6.3f} {m['p95_seconds']:6.3f}"
                f" {m['worker_cpu_seconds_per_workflow']:8.4f}"
                f" {opt(m.get('replay_cpu_ms_per_workflow'), 6, 2)}"
                f" {opt(m.get('server_cpu_seconds_per_workflow'), 8)}"
                f" {opt(m.get('database_cpu_seconds_per_workflow'), 7)}"
                f" {m['history_events_per_workflow']:6.0f}"
                f" {m.get('history_bytes_per_workflow', 0) / 1024:5.1f}"
                f" {m['peak_worker_memory_mb']:6.0f} {ratio_text}"
            )
    return "\n".join(rows)


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
