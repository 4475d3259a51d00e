"""The notifications worker: the one notifier activity, writing to log and outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from activities.notifier import NotifierActivities
from valuechain.records.store import SystemOfRecord
from valuechain.settings import Settings
from workers.runner import main


def build(settings: Settings, store: SystemOfRecord) -> tuple[str, Sequence[type], Sequence[Any]]:
    return settings.notifications_queue, [], [NotifierActivities(store).notify]


if __name__ == "__main__":
    main("notifications", build)
