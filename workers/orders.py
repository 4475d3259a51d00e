"""The orders worker: order-to-cash, its stages and their activities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from activities.orders import OrderActivities
from valuechain.records.store import SystemOfRecord
from valuechain.settings import Settings
from workers.runner import main
from workflows.registry import ORDER_WORKFLOWS


def build(settings: Settings, store: SystemOfRecord) -> tuple[str, Sequence[type], Sequence[Any]]:
    return settings.orders_queue, ORDER_WORKFLOWS, OrderActivities(store).all()


if __name__ == "__main__":
    main("orders", build)
