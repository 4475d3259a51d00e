"""The approvals worker: the workflows people take part in, and their activities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from activities.bookings import BookingActivities
from activities.onboarding import OnboardingActivities
from activities.support import SupportActivities
from valuechain.records.store import SystemOfRecord
from valuechain.settings import Settings
from workers.runner import main
from workflows.registry import HUMAN_WORKFLOWS


def build(settings: Settings, store: SystemOfRecord) -> tuple[str, Sequence[type], Sequence[Any]]:
    activities = [
        *BookingActivities(store).all(),
        *SupportActivities(store).all(),
        *OnboardingActivities(store).all(),
    ]
    return settings.approvals_queue, HUMAN_WORKFLOWS, activities


if __name__ == "__main__":
    main("approvals", build)
