"""The approvals worker service with a slow payout, for shutdown tests:
python -m tests.helpers.slow_worker (the payout takes SLOW_PAYOUT_SECONDS)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from typing import Any

from temporalio import activity

from activities.bookings import BookingActivities
from valuechain.models.records import BookingOutput, PayoutInput
from valuechain.process import exit_process, settings_or_exit
from valuechain.records.store import SystemOfRecord
from valuechain.settings import Settings
from workers.registry import HUMAN_WORKFLOWS, SERVICES, Service
from workers.runner import serve


def activities(store: SystemOfRecord, settings: Settings) -> Sequence[Callable[..., Any]]:
    real = BookingActivities(store)

    @activity.defn(name="pay_expense")
    async def slow_payout(input: PayoutInput) -> BookingOutput:
        activity.logger.info("slow payout started", extra={"step": input.step})
        # Work that takes a while: the bank's transfer, say.
        await asyncio.sleep(float(os.environ.get("SLOW_PAYOUT_SECONDS", "3")))
        return await asyncio.to_thread(real.pay_expense, input)

    # The approvals service's activities, its payout slowed.
    approvals = SERVICES["approvals"].activities(store, settings)
    return [*(fn for fn in approvals if fn.__name__ != "pay_expense"), slow_payout]


SLOW = Service("slow-approvals", "approvals_queue", HUMAN_WORKFLOWS,
               activities)  # fmt: skip

if __name__ == "__main__":
    exit_process(asyncio.run(serve(SLOW, settings_or_exit())))
