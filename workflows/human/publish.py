"""What a run shows outside itself: its search attributes (stage, who it waits on, amount,
order and customer), the Web UI's details line and its summary memo.

Each search attribute upsert and memo change is a history event. A workflow task often
changes the stage several times (a decision closes a task, moves the state, opens the
next task): publishing each change wrote a pair of events per change, and a task ending
with more than ten events makes the server keep a refused update's workflow task in the
history (its rule for discarding a speculative task: the events since the last completed
task, `DiscardSpeculativeWorkflowTaskMaximumEventsCount`). So changes are collected and
published once, when the workflow task's code has run, and only what changed is sent.

Runs started before this keep publishing every change, so they replay unchanged: the
choice is in the run context (`publication`: absent from their recorded inputs, it reads
`each_change`). Not `workflow.patched`: its marker and the `TemporalChangeVersion` upsert
the SDK adds with it are two events in every run, which a one-step workflow, publishing
once per task already, would pay for nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from valuechain import search

_NEVER = object()  # the value of an attribute this run has not upserted


class Publishing:
    """The stage, tags and summary a run publishes; `RunBase` says what they are."""

    def __init__(self) -> None:
        self._stage = "start"
        self._memo = ""
        self._shows_stage = False  # nothing about the stage is published before set_stage
        self._tags: dict[str, SearchAttributeUpdate[Any]] = {}  # set, not yet published
        self._published: dict[str, Any] = {}  # each attribute's value as last upserted
        self._publish_due = False
        self._once = False  # once per task, or each change: `publish_once` says
        self._publish_error: Exception | None = None

    def waiting(self) -> tuple[list[str], list[str]]:
        """The roles the run's open tasks wait on, and the people they are assigned to."""
        return [], []

    def summary_line(self) -> str:
        """The one line the Web UI shows for this run (its memo): what and where."""
        return f"stage {self._stage}"

    def set_stage(self, stage: str) -> None:
        """Publish where the run is (a state, step or stage) for the UI and list queries."""
        self._stage = stage
        self._publish()

    def publish_once(self, once: bool) -> None:
        """Say how this run publishes, from its run context, before it publishes."""
        self._once = once

    @property
    def publishes_once(self) -> bool:
        return self._once

    def tag(self, *updates: SearchAttributeUpdate[Any]) -> None:
        """Set search attributes (amount, order, customer), published with the stage."""
        if not self._once:
            workflow.upsert_search_attributes(list(updates))
            return
        for update in updates:
            self._tags[update.key.name] = update
        self._publish_soon()

    def _publish(self) -> None:
        """The stage or the open tasks changed."""
        self._shows_stage = True
        if not self._once:
            self._publish_stage([])
            return
        self._publish_soon()

    def _publish_pending(self) -> None:
        """Publish what changed since the last publication. A change made as the run
        returns goes out too: this runs in the same workflow task, and the SDK's core
        sends the task's other commands before the one that closes the run."""
        if not self._publish_due:
            return
        self._publish_due = False
        updates, self._tags = list(self._tags.values()), {}
        try:
            if self._shows_stage:
                self._publish_stage(updates)
            elif updates:
                self._upsert(updates)
        except Exception as err:
            # The SDK only logs an error raised in a loop callback. Kept, it is raised by
            # the run's own code at its next publication (every run publishes as it
            # ends), failing that workflow task as any bug in workflow code does: the
            # run stops there, and Temporal retries the task until a fixed worker runs
            # it, so a run never completes with its stage left unpublished.
            self._publish_error = err
            raise

    def _publish_soon(self) -> None:
        if self._publish_error is not None:
            raise RuntimeError("publishing the run's stage failed") from self._publish_error
        if not self._publish_due:
            self._publish_due = True
            # Runs once the code this workflow task woke has gone as far as it can, in
            # the same task: the same point on every replay.
            asyncio.get_running_loop().call_soon(self._publish_pending)

    def _publish_stage(self, tags: list[SearchAttributeUpdate[Any]]) -> None:
        waiting, named = self.waiting()
        stage: list[SearchAttributeUpdate[Any]] = [
            search.STAGE.value_set(self._stage),
            search.WAITING_ROLE.value_set([*waiting, *named]),
        ]
        if self._once:
            self._upsert([*tags, *stage])
        else:
            workflow.upsert_search_attributes(stage)
        line = self.summary_line()
        if waiting:
            line += f"; waiting on {', '.join(waiting)}"
        workflow.set_current_details(line)  # the run's page in the Web UI shows it
        if line != self._memo:  # a memo change is a history event: only when it changes
            self._memo = line
            workflow.upsert_memo({"summary": line})

    def _upsert(self, updates: list[SearchAttributeUpdate[Any]]) -> None:
        changed = [u for u in updates if self._published.get(u.key.name, _NEVER) != u.value]
        if changed:
            workflow.upsert_search_attributes(changed)
            self._published.update((u.key.name, u.value) for u in changed)
