"""How `make bench PROFILE=1` reads py-spy's samples: the sandbox's per-run import and
payload conversion take every sample they stand in (a class defined by the SDK inside
the import counts as the import), any other goes to the innermost frame's owner, and a
thread waiting for work is not busy."""

from __future__ import annotations

from pathlib import Path

from tests.bench.profile import OTHER, read

SDK = ".venv/lib/python3.11/site-packages/temporalio"
LOOP = "run (asyncio/runners.py:190);_run_once (asyncio/base_events.py:1922)"


def test_each_busy_sample_goes_to_the_part_of_the_work_it_is_in(tmp_path: Path) -> None:
    raw = tmp_path / "samples.txt"
    raw.write_text("\n".join([
        # The sandbox defining a run's workflow class: its per-run import.
        f"{LOOP};_Instance._create_instance ({SDK}/worker/workflow_sandbox/_runner.py:148);"
        f"<module> (workflows/expense.py:17);_apply_to_class ({SDK}/workflow/_definition.py:288) 7",
        # The project's code converting a payload: conversion.
        f"{LOOP};automated (workflows/human/system.py:60);"
        f"to_payloads ({SDK}/converter/_payload_converter.py:300) 3",
        # The project's code itself.
        f"{LOOP};human_step (workflows/human/steps.py:140) 2",
        # The SDK's own work under nothing else named.
        f"{LOOP};activate ({SDK}/worker/_workflow_instance.py:400) 4",
        # Nothing named: the event loop.
        f"{LOOP} 5",
        # Idle: an activity thread waiting for work, the loop waiting for I/O.
        "_bootstrap (threading.py:1002);_worker (concurrent/futures/thread.py:81) 50",
        f"{LOOP};EpollSelector.select (selectors.py:468) 40",
    ]) + "\n")  # fmt: skip
    parts = read(raw)
    assert parts == {
        "sandbox: a run's modules imported": 7,
        "payloads converted (pydantic, JSON)": 3,
        "the project's workflow code": 2,
        "SDK and core bridge": 4,
        OTHER: 5,
    }
