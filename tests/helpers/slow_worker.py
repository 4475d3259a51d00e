"""The approvals worker service with a slow payout, for shutdown tests:
python -m tests.helpers.slow_worker (the payout takes SLOW_PAYOUT_SECONDS)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import Any

from temporalio import activity

from activities.bookings import BookingActivities
from valuechain.models.records import BookingOutput, PayoutInput
from valuechain.records.store import SystemOfRecord
from valuechain.settings import Settings
from workers.runner import main
from workflows.registry import HUMAN_WORKFLOWS


def build(settings: Settings, store: SystemOfRecord) -> tuple[str, Sequence[type], Sequence[Any]]:
    real = BookingActivities(store)

    @activity.defn(name="pay_expense")
    async def slow_payout(input: PayoutInput) -> BookingOutput:
        activity.logger.info("slow payout started", extra={"step": input.step})
        # Work that takes a while: the bank's transfer, say.
        await asyncio.sleep(float(os.environ.get("SLOW_PAYOUT_SECONDS", "3")))
        return await asyncio.to_thread(real.pay_expense, input)

    others = [fn for fn in real.all() if fn.__name__ != "pay_expense"]
    return settings.approvals_queue, HUMAN_WORKFLOWS, [*others, slow_payout]


if __name__ == "__main__":
    main("slow-approvals", build)
