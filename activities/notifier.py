"""The one notifier: every notice (assigned, reminder, escalation, outcome) goes through
here, to the structured log and to the outbox in the system of record."""

from __future__ import annotations

from temporalio import activity

from valuechain.models.notify import NotifyInput, NotifyOutput
from valuechain.records.store import SystemOfRecord


class NotifierActivities:
    def __init__(self, store: SystemOfRecord) -> None:
        self._store = store

    @activity.defn(name="notify")
    def notify(self, input: NotifyInput) -> NotifyOutput:
        outbox_id, duplicate = self._store.add_to_outbox(input)
        activity.logger.info(
            f"notify {input.recipient}: {input.subject}",
            extra={
                "step": input.step,
                "task_id": input.task_id,
                "kind": input.kind,
                "recipient": input.recipient,
                "outbox_id": outbox_id,
                "duplicate": duplicate,
            },
        )
        return NotifyOutput(outbox_id=outbox_id, duplicate=duplicate)
