from __future__ import annotations

from typing import Literal

from valuechain.models.common import Model

NotificationKind = Literal["assigned", "reminder", "escalation", "outcome", "info"]


class NotifyInput(Model):
    # Stable across retries and replays, so the outbox never holds a notice twice.
    key: str
    kind: NotificationKind
    recipient: str  # a person, or "role:<name>" for everyone holding a role
    subject: str
    message: str
    workflow_id: str
    task_id: str | None = None
    step: str | None = None


class NotifyOutput(Model):
    outbox_id: int
    duplicate: bool
    mailed: list[str] = []  # the addresses it went to by email, this time
