"""`make bench-report`: the process-insight report on a large window of real workflows.

  python -m tests.bench.report_memory [--runs 10000] [--small 100] [--out FILE]

Runs `--runs` purchase approvals (under the threshold: decided by the decision table,
the outcome notice sent) and `--small` more on a task queue of their own, on a dev server
of their own, then runs `valuechain report` over each window as a separate
process and reads its peak memory (the high-water mark of its resident set, which the
report prints when it ends). The report pages through visibility and folds one history
at a time, so the large window should need about what the small one does.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from tests.helpers import listed, worker
from tests.helpers.cases import purchase
from tests.helpers.cli import cli_env
from valuechain import search
from valuechain.cluster.binaries import find_temporal_cli
from valuechain.converter import DATA_CONVERTER
from valuechain.process import exit_process
from valuechain.records.migrate import open_store
from workflows.purchase import PurchaseApproval

ROOT = Path(__file__).resolve().parents[2]
IN_FLIGHT = 200


async def run_purchases(client: Client, task_queue: str, count: int) -> float:
    """Run `count` purchases to their end; return the seconds it took."""
    gate = asyncio.Semaphore(IN_FLIGHT)
    done = 0
    started = time.perf_counter()

    async def one(i: int) -> None:
        nonlocal done
        inp = purchase(task_queue, f"{10 + i % 400}.00")  # under the threshold: automatic
        async with gate:
            result = await client.execute_workflow(
                PurchaseApproval.run, inp, id=f"bench-purchase-{uuid.uuid4().hex[:12]}",
                task_queue=task_queue,
            )  # fmt: skip
        assert result.status == "approved", result
        done += 1
        if done % 1000 == 0:
            print(f"  {done}/{count} purchases done", file=sys.stderr, flush=True)

    await asyncio.gather(*(one(i) for i in range(count)))
    await listed(client, f'TaskQueue="{task_queue}" AND ExecutionStatus="Completed"',
                 at_least=count)  # fmt: skip
    return time.perf_counter() - started


def report_process(address: str, task_queue: str) -> dict[str, Any]:
    """Run the report over one task queue's window; its peak memory, time and counts.
    The peak is the one the report prints of itself (VmHWM): the kernel's rusage of a
    child would count this large process's memory too, inherited across fork and exec."""
    env = cli_env(address, task_queue, "sqlite://")
    started = time.perf_counter()
    ran = subprocess.run(
        [sys.executable, "-m", "starters", "report", "--hours", "24", "--where",
         f'TaskQueue="{task_queue}"', "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, f"the report exited {ran.returncode}: {ran.stderr}"
    peak = re.search(r"peak memory ([0-9.]+) MB", ran.stderr)
    assert peak is not None, ran.stderr
    figures = json.loads(ran.stdout)["workflow_types"]["PurchaseApproval"]
    return {
        "workflows": figures["runs"],
        "seconds": round(time.perf_counter() - started, 1),
        "peak_memory_mb": float(peak.group(1)),
        "automation_share": figures["automation_share"],
    }


async def bench(runs: int, small: int) -> dict[str, Any]:
    path = find_temporal_cli()
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(path) if path else None, data_converter=DATA_CONVERTER,
        search_attributes=search.ALL, dev_server_startup_timeout=timedelta(seconds=120),
    )  # fmt: skip
    address = env.client.service_client.config.target_host
    small_queue, large_queue = (
        f"report-small-{uuid.uuid4().hex[:6]}",
        f"report-large-{uuid.uuid4().hex[:6]}",
    )
    result: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(f"sqlite:///{tmp}/bench.db")
            for queue, count in ((small_queue, small), (large_queue, runs)):
                async with worker(env.client, queue, store):
                    took = await run_purchases(env.client, queue, count)
                print(f"  {count} purchases in {took:.0f}s; reading them", file=sys.stderr)
                read = await asyncio.to_thread(report_process, address, queue)
                assert read["workflows"] == count, read
                result["small" if queue == small_queue else "large"] = read
    finally:
        await env.shutdown()
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--runs", type=int, default=10_000)
    p.add_argument("--small", type=int, default=100)
    p.add_argument("--out", metavar="FILE")
    args = p.parse_args()
    result = asyncio.run(bench(args.runs, args.small))
    for name in ("small", "large"):
        r = result[name]
        print(f"{name:5}: {r['workflows']:6} workflows read in {r['seconds']:7.1f}s,"
              f" peak memory {r['peak_memory_mb']:6.1f} MB")  # fmt: skip
    growth = result["large"]["peak_memory_mb"] - result["small"]["peak_memory_mb"]
    more = result["large"]["workflows"] - result["small"]["workflows"]
    print(f"growth: {growth:+.1f} MB for {more} more workflows")
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2))
    exit_process(0)


if __name__ == "__main__":
    main()
