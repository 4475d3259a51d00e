"""Workflow-side CPU per run, by replay: python -m tests.bench.replay <history.json>
<workflow id> <runs>.

Replays one recorded history `runs` times with the bench worker's workflows, as its
worker runs them (the sandbox as VALUECHAIN_WORKFLOW_SANDBOX says, the payload codec as
the settings give it, A's features switched off as BENCH_WITHOUT says: a history recorded
without a feature replays only without it), and prints the process's CPU milliseconds
per replay. A replay does all of a run's workflow work (its module's import, every
activation, every payload in and out) and none of the rest (polling, activities, the
server), alone in its process: a figure that moves less than a round's worker CPU, which
moves with everything else on the machine (a history's shape, how its events batch into
workflow tasks, still moves it).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from tests.bench.features import switch_off
from tests.bench.worker import WORKFLOWS
from valuechain.converter import converter_for
from valuechain.settings import Settings
from workers.registry import WORKFLOW_INTERCEPTORS, workflow_runner

WARM_UP = 3  # the first replays import the modules the others find imported


async def _copies(history: WorkflowHistory, count: int) -> AsyncIterator[WorkflowHistory]:
    for _ in range(count):  # its own id: a process names its children after it
        yield history


async def replay_cpu_ms(history: WorkflowHistory, runs: int, settings: Settings) -> float:
    replayer = Replayer(
        workflows=WORKFLOWS,
        interceptors=WORKFLOW_INTERCEPTORS,
        workflow_runner=workflow_runner(settings.workflow_sandbox),
        data_converter=converter_for(settings.payload_keys_path),
    )
    await replayer.replay_workflows(_copies(history, WARM_UP))
    started = time.process_time()
    await replayer.replay_workflows(_copies(history, runs))  # raises if a replay fails
    return (time.process_time() - started) / runs * 1000


def main(path: str, workflow_id: str, runs: str) -> None:
    settings = Settings.from_env(dict(os.environ))
    switch_off(f for f in os.environ.get("BENCH_WITHOUT", "").split(",") if f)
    history = WorkflowHistory.from_json(workflow_id, Path(path).read_text())
    print(f"{asyncio.run(replay_cpu_ms(history, int(runs), settings)):.3f}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
