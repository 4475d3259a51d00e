"""`make bench`: the project's mechanisms (A) against a hand-written temporalio baseline
(B), same dev server (in memory), same worker settings, alternating A and B over rounds.

  python -m tests.bench [--quick] [--rounds N] [--out FILE]

Per scenario and variant: workflows per second, p50 and p95 end-to-end latency, worker
CPU seconds per workflow and peak worker memory (from the worker process's /proc), and
history events per workflow; medians over the rounds and the ratio A/B (throughput,
higher is better for A). Results are printed and saved as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from activities.seed import seed_demo_data
from activities.store import SystemOfRecord
from starters.partners import settle
from tests.bench.baseline_o2c import BaselineOrderToCash
from tests.bench.workflows import (
    BenchInput,
    ChainA,
    ChainB,
    Decision,
    FanOutA,
    FanOutB,
    HumanA,
    HumanB,
)
from tests.helpers import run_context
from tests.helpers.orders import SHIPMENT_TABLE
from valuechain import search
from valuechain.binaries import find_temporal_cli
from valuechain.converter import DATA_CONVERTER
from valuechain.models.human import DecisionInput
from valuechain.models.orders import O2CSettings, OrderLine, OrderRequest, OrderToCashInput
from valuechain.process import exit_process, peak_memory_mb
from workflows.human import HumanWorkflow
from workflows.order_to_cash import OrderToCash

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    workflows: int
    seconds: float
    latencies: list[float]
    cpu_seconds: float
    peak_memory_mb: float
    history_events: int

    @property
    def per_second(self) -> float:
        return self.workflows / self.seconds


class WorkerProcess:
    """A bench worker in its own process, so its CPU and memory are its own."""

    def __init__(self, address: str, task_queue: str, db_url: str) -> None:
        self.args = [address, task_queue, db_url]
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> WorkerProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bench.worker", *self.args, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout=60)
        assert line.strip() == b"ready", line
        return self

    def cpu(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime

    def peak_mb(self) -> float:
        assert self.proc is not None
        return peak_memory_mb(self.proc.pid) or 0.0

    async def __aexit__(self, *_: object) -> None:
        assert self.proc is not None
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"stop\n")
        await self.proc.stdin.drain()
        await asyncio.wait_for(self.proc.wait(), timeout=60)


Driver = Callable[[Client, str, str], Awaitable[float]]  # returns one workflow's latency


async def run_many(
    client: Client, count: int, in_flight: int, one: Callable[[], Awaitable[float]]
) -> list[float]:
    gate = asyncio.Semaphore(in_flight)

    async def gated() -> float:
        async with gate:
            return await one()

    return await asyncio.gather(*(gated() for _ in range(count)))


def workflow_driver(workflow: Any, steps: int) -> Driver:
    async def one(client: Client, task_queue: str, wid: str) -> float:
        started = time.perf_counter()
        inp = BenchInput(steps=steps, context=run_context(task_queue))
        await client.execute_workflow(workflow, inp, id=wid, task_queue=task_queue)
        return time.perf_counter() - started

    return one


def human_driver(variant: str) -> Driver:
    """Latency here is the round trip: a decision sent to the next step started."""

    async def one(client: Client, task_queue: str, wid: str) -> float:
        inp = BenchInput(steps=2, context=run_context(task_queue))
        if variant == "A":
            h = await client.start_workflow(HumanA.run, inp, id=wid, task_queue=task_queue)
            first = await wait_for(lambda: h.query(HumanWorkflow.state),
                                   lambda s: bool(s.open_tasks))  # fmt: skip
            sent = time.time()
            await h.execute_update(
                HumanWorkflow.decide,
                DecisionInput(
                    task_id=first.open_tasks[0].task_id, actor="maria", decision="approve"
                ),
            )
            second = await wait_for(lambda: h.query(HumanWorkflow.state),
                                    lambda s: s.current_step == "second")  # fmt: skip
            opened = second.open_tasks[0].opened_at.timestamp()
            await h.execute_update(
                HumanWorkflow.decide,
                DecisionInput(
                    task_id=second.open_tasks[0].task_id, actor="maria", decision="approve"
                ),
            )
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


def o2c_driver(variant: str) -> Driver:
    settings = O2CSettings(production_lead_time=timedelta(0))

    async def one(client: Client, task_queue: str, wid: str) -> float:
        started = time.perf_counter()
        if variant == "A":
            request = OrderRequest(order_id=wid, customer="C-ACME",
                                   lines=[OrderLine(sku="KETTLE-2", qty=1)],
                                   due_date=date.today() + timedelta(days=30))  # fmt: skip
            await client.start_workflow(
                OrderToCash.run,
                OrderToCashInput(request=request, context=run_context(task_queue),
                                 shipment_table=SHIPMENT_TABLE, settings=settings),
                id=wid, task_queue=task_queue,
            )  # fmt: skip
            result = await settle(client, wid)
            assert getattr(result, "status", None) == "paid", result
        else:
            h = await client.start_workflow(BaselineOrderToCash.run, wid, id=wid,
                                            task_queue=task_queue)  # fmt: skip
            for event, stage in (("delivered", "shipping"), ("paid", "collection")):

                def at(current: str, stage: str = stage) -> bool:
                    return current == stage

                await wait_for(lambda: h.query(BaselineOrderToCash.current), at)
                await h.execute_update(BaselineOrderToCash.event, event)
            await h.result()
        return time.perf_counter() - started

    return one


async def wait_for(get: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool]) -> Any:
    """Poll a query as a user's client would: the only view into a running workflow."""
    for _ in range(3000):
        value = await get()
        if ok(value):
            return value
        await asyncio.sleep(0.01)
    raise TimeoutError("the workflow never reached the expected state")


@dataclass
class Scenario:
    name: str
    count: int
    in_flight: int
    drivers: dict[str, Driver]


def scenarios(quick: bool) -> list[Scenario]:
    q = 0.2 if quick else 1.0

    def n(full: int) -> int:
        return max(5, int(full * q))

    return [
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


async def measure(env: WorkflowEnvironment, db_url: str, scenario: Scenario,
                  variant: str) -> Sample:  # fmt: skip
    task_queue = f"bench-{uuid.uuid4().hex[:8]}"
    address = env.client.service_client.config.target_host
    driver = scenario.drivers[variant]
    ids = [f"{scenario.name[:5].strip()}-{variant}-{uuid.uuid4().hex[:10]}".replace(" ", "")
           for _ in range(scenario.count)]  # fmt: skip
    it = iter(ids)
    async with WorkerProcess(address, task_queue, db_url) as worker:
        cpu0, t0 = worker.cpu(), time.perf_counter()
        latencies = await run_many(env.client, scenario.count, scenario.in_flight,
                                   lambda: driver(env.client, task_queue, next(it)))  # fmt: skip
        seconds = time.perf_counter() - t0
        cpu = worker.cpu() - cpu0
        peak = worker.peak_mb()
    events = len((await env.client.get_workflow_handle(ids[0]).fetch_history()).events)
    return Sample(scenario.count, seconds, sorted(latencies), cpu / scenario.count, peak, events)


def pct(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p * len(values)))]


def summarise(samples: list[Sample]) -> dict[str, float]:
    med = statistics.median
    return {
        "workflows_per_second": med(s.per_second for s in samples),
        "p50_seconds": med(pct(s.latencies, 0.50) for s in samples),
        "p95_seconds": med(pct(s.latencies, 0.95) for s in samples),
        "worker_cpu_seconds_per_workflow": med(s.cpu_seconds for s in samples),
        "history_events_per_workflow": med(s.history_events for s in samples),
        "peak_worker_memory_mb": med(s.peak_memory_mb for s in samples),
    }


async def bench(quick: bool, rounds: int) -> dict[str, Any]:
    path = find_temporal_cli()
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(path) if path else None, data_converter=DATA_CONVERTER,
        search_attributes=search.ALL, dev_server_startup_timeout=timedelta(seconds=120),
    )  # fmt: skip
    report: dict[str, Any] = {"quick": quick, "rounds": rounds, "scenarios": []}
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{tmp}/bench.db"
        store = SystemOfRecord(db_url)
        seed_demo_data(store)
        try:
            for scenario in scenarios(quick):
                samples: dict[str, list[Sample]] = {"A": [], "B": []}
                for r in range(rounds):
                    order = ("A", "B") if r % 2 == 0 else ("B", "A")  # alternate
                    for variant in order:
                        samples[variant].append(await measure(env, db_url, scenario, variant))
                        print(
                            f"  {scenario.name} [{variant}] round {r + 1}: "
                            f"{samples[variant][-1].per_second:.1f} wf/s",
                            file=sys.stderr,
                        )
                a, b = summarise(samples["A"]), summarise(samples["B"])
                report["scenarios"].append({
                    "scenario": scenario.name, "workflows": scenario.count, "A": a, "B": b,
                    "ratio_a_over_b": a["workflows_per_second"] / b["workflows_per_second"],
                    "samples": {k: [asdict(s) for s in v] for k, v in samples.items()},
                })  # fmt: skip
        finally:
            await env.shutdown()
    return report


def table(report: dict[str, Any]) -> str:
    rows = [f"{'scenario':42} {'':2} {'wf/s':>8} {'p50 s':>7} {'p95 s':>7} {'cpu s/wf':>9}"
            f" {'events':>7} {'mem MB':>7} {'A/B':>6}"]  # fmt: skip
    for s in report["scenarios"]:
        for v in ("A", "B"):
            m = s[v]
            ratio = f"{s['ratio_a_over_b']:6.2f}" if v == "A" else ""
            rows.append(
                f"{s['scenario'][:42]:42} {v:2} {m['workflows_per_second']:8.1f}"
                f" {m['p50_seconds']:7.3f} {m['p95_seconds']:7.3f}"
                f" {m['worker_cpu_seconds_per_workflow']:9.4f}"
                f" {m['history_events_per_workflow']:7.0f}"
                f" {m['peak_worker_memory_mb']:7.0f} {ratio}"
            )
    return "\n".join(rows)


def main() -> int:
    p = argparse.ArgumentParser(description="Benchmark the project against a baseline.")
    p.add_argument("--quick", action="store_true", help="small sizes: under two minutes")
    p.add_argument(
        "--rounds", type=int, default=None, help="rounds per variant (default 3, quick 2)"
    )
    p.add_argument("--out", default=".valuechain/bench.json", help="where the JSON goes")
    args = p.parse_args()
    rounds = args.rounds or (2 if args.quick else 3)
    started = time.perf_counter()
    report = asyncio.run(bench(args.quick, rounds))
    report["seconds"] = time.perf_counter() - started
    report["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(table(report))
    print(f"\n{report['seconds']:.0f}s; JSON in {out}")
    return 0


if __name__ == "__main__":
    exit_process(main())
