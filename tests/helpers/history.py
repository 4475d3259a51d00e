"""Histories: where each era of the code keeps its recorded runs, recording a test's run,
reading one back and replaying it as the workers run, and reading a history as a user's
Web UI shows it (what each workflow task wrote)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHandle, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from valuechain import search
from valuechain.converter import DATA_CONVERTER
from workers.registry import ALL_WORKFLOWS, WORKFLOW_INTERCEPTORS, WORKFLOW_RUNNER

OURS = {key.name for key in search.ALL}


def publications_per_task(events: Sequence[HistoryEvent]) -> list[tuple[int, int]]:
    """For each completed workflow task: how many upserts of the project's search
    attributes and how many memo changes its commands wrote."""
    counts: list[tuple[int, int]] = []
    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            counts.append((0, 0))
        elif kind == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes
            if OURS & set(fields.indexed_fields):
                upserts, memos = counts[-1]
                counts[-1] = (upserts + 1, memos)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
            upserts, memos = counts[-1]
            counts[-1] = (upserts, memos + 1)
    return counts


HISTORY_ROOT = Path(__file__).resolve().parents[1] / "histories"
# One folder per era of the code, named by the day it was recorded: every era must still
# replay (runs of each may be running somewhere). 2026-11-21: notices on the queue, every
# change published; 2026-11-22: notices recorded by the run's worker, published per task.
ERAS = sorted(p for p in HISTORY_ROOT.iterdir() if p.is_dir())
HISTORIES = HISTORY_ROOT / "2026-11-22"  # where the tests record now
# Histories of runs under the codec, with the (test-only) keys they were written with.
ENCRYPTED_HISTORIES = HISTORIES / "encrypted"
HISTORY_KEYS = HISTORY_ROOT / "payload-keys.toml"


def replayer(
    converter: DataConverter = DATA_CONVERTER, workflows: list[type] = ALL_WORKFLOWS
) -> Replayer:
    """A replayer set up as the workers are (their sandbox and interceptors)."""
    return Replayer(
        workflows=workflows,
        data_converter=converter,
        interceptors=WORKFLOW_INTERCEPTORS,
        workflow_runner=WORKFLOW_RUNNER,
    )


async def search_attribute_values(handle: WorkflowHandle[Any, Any]) -> dict[str, set[str]]:
    """Every value the run ever gave each of its search attributes, from its history (at
    its start and at each upsert), as text: search attributes are never encrypted."""
    values: dict[str, set[str]] = {}
    async for event in handle.fetch_history_events():
        if event.HasField("workflow_execution_started_event_attributes"):
            given = event.workflow_execution_started_event_attributes.search_attributes
        elif event.HasField("upsert_workflow_search_attributes_event_attributes"):
            given = event.upsert_workflow_search_attributes_event_attributes.search_attributes
        else:
            continue
        for name, payload in given.indexed_fields.items():
            value = json.loads(payload.data) if payload.data else None
            listed = value if isinstance(value, list) else [value]
            values.setdefault(name, set()).update(str(v) for v in listed if v is not None)
    return values


async def record_history(
    handle: WorkflowHandle[Any, Any], name: str, folder: Path = HISTORIES
) -> None:
    """With VALUECHAIN_RECORD_HISTORIES=1, keep this run's history for the replay test,
    as `<name>@<workflow id>.json`: replay needs the id (child ids derive from it)."""
    if os.environ.get("VALUECHAIN_RECORD_HISTORIES"):
        history = await handle.fetch_history()
        await asyncio.to_thread(_keep_history, folder, name, handle.id, history.to_json())


def recorded_history(path: Path) -> WorkflowHistory:
    """A history `record_history` kept, with the workflow id its file name carries."""
    return WorkflowHistory.from_json(path.stem.split("@", 1)[1], path.read_text())


def _keep_history(folder: Path, name: str, workflow_id: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{name}@*.json"):
        old.unlink()
    (folder / f"{name}@{workflow_id}.json").write_text(text)
