"""Reading a run's history as a user's Web UI shows it: what each workflow task wrote."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

from valuechain import search

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
