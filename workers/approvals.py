"""The approvals worker: the human-step workflows and the bookings they make."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from activities.bookings import BookingActivities
from activities.store import SystemOfRecord
from valuechain.settings import Settings
from workers.runner import main
from workflows.registry import HUMAN_WORKFLOWS


def build(settings: Settings, store: SystemOfRecord) -> tuple[str, Sequence[type], Sequence[Any]]:
    return settings.approvals_queue, HUMAN_WORKFLOWS, BookingActivities(store).all()


if __name__ == "__main__":
    main("approvals", build)
