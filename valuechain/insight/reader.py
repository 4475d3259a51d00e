"""Reading Temporal's own records into the insight engine: visibility page by page, each
run's history folded in and dropped, so a large window does not fill memory."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle, WorkflowHistory, WorkflowQueryFailedError
from temporalio.converter import DataConverter
from temporalio.service import RPCError

from valuechain.client import connect
from valuechain.costs import CostTable
from valuechain.insight.engine import Insight
from valuechain.insight.facts import add_retrying, facts_of
from valuechain.settings import Settings


class Reader:
    """Pages through visibility and folds each run's history into an `Insight`. A run
    without a result is asked for its `state` (a worker answers by replaying its history);
    a task queue whose worker does not answer in time is not asked again. The child
    workflows of a run (a process's stages) are read with it, whether the window lists
    them or not; each child is read once, so only the run ids of children are kept."""

    def __init__(self, client: Client, insight: Insight, query_timeout: float) -> None:
        self.client = client
        self.insight = insight
        self.query_timeout = timedelta(seconds=query_timeout)
        self.read = 0
        self.silent_queues: set[str] = set()
        self.children_read: set[str] = set()  # run ids

    async def run(self, query: str, page_size: int) -> None:
        async for execution in self.client.list_workflows(query, page_size=page_size):
            if execution.parent_id and execution.run_id in self.children_read:
                continue  # read already, with its parent
            await self.fold(execution.id, execution.run_id or "")

    async def fold(self, workflow_id: str, run_id: str) -> None:
        handle = self.client.get_workflow_handle(workflow_id, run_id=run_id or None)
        history = await decoded(await handle.fetch_history(), self.client.data_converter)
        facts = facts_of(history)
        if facts.result is None and not facts.completed:
            facts.result = await self.ask_state(handle, facts.task_queue)
            facts.as_of = datetime.now(UTC)
        if facts.closed is None:
            described = await handle.describe()
            add_retrying(facts, list(described.raw_description.pending_activities))
        self.insight.add(facts)
        if facts.parent_id is not None:
            self.children_read.add(run_id)
        self.read += 1
        if self.read % 100 == 0:
            print(f"  {self.read} workflows read", file=sys.stderr, flush=True)
        for child in facts.children:
            if child.run_id not in self.children_read:
                await self.fold(child.workflow_id, child.run_id)

    async def ask_state(self, handle: WorkflowHandle[Any, Any], queue: str) -> Any:
        if queue in self.silent_queues:
            return None
        try:
            return await handle.query("state", rpc_timeout=self.query_timeout)
        except RPCError as err:
            # No worker polls the queue (the server says so, or the wait runs out): the
            # other runs there would wait just as long, so they are not asked.
            self.silent_queues.add(queue)
            print(f"  task queue {queue}: no worker answered ({err.message}); the steps"
                  " of its runs without a result are not read", file=sys.stderr,
                  flush=True)  # fmt: skip
            return None
        except WorkflowQueryFailedError:
            return None


async def decoded(history: WorkflowHistory, converter: DataConverter) -> WorkflowHistory:
    """The history with the payloads the facts read (results, step summaries) decoded by
    the client's codec, when payloads are encrypted."""
    codec = converter.payload_codec
    if codec is None:
        return history
    for event in history.events:
        if event.HasField("workflow_execution_completed_event_attributes"):
            await codec.decode_wrapper(event.workflow_execution_completed_event_attributes.result)
        if event.user_metadata.HasField("summary"):
            [summary] = await codec.decode([event.user_metadata.summary])
            event.user_metadata.summary.CopyFrom(summary)
    return history


async def gather(
    settings: Settings,
    query: str,
    page_size: int,
    costs: CostTable | None = None,
    query_timeout: float = 5.0,
) -> Insight:
    reader = Reader(await connect(settings), Insight(costs), query_timeout)
    await reader.run(query, page_size)
    return reader.insight
