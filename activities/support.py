"""Automated steps of the support ticket: categorising its text, assigning an agent."""

from __future__ import annotations

import re

from temporalio import activity

from activities import Activities
from valuechain.models.machine import AssignInput, AssignOutput, CategoriseInput, CategoriseOutput
from valuechain.records.store import SystemOfRecord

# Word stems that mark a category, strongest first: safety wins over everything.
KEYWORDS: list[tuple[str, list[str]]] = [
    ("safety", ["fire", "spark", "smoke", "burn", "shock", "injur", "unsafe", "hazard", "melt"]),
    ("billing", ["invoice", "charge", "refund", "bill", "payment", "price"]),
    ("product", ["broken", "defect", "faulty", "stopped working", "crack", "missing part"]),
    ("service", ["late", "delivery", "rude", "waiting", "no answer", "courier"]),
]


class SupportActivities(Activities):
    def __init__(self, store: SystemOfRecord) -> None:
        self._store = store

    @activity.defn(name="categorise_ticket")
    def categorise_ticket(self, input: CategoriseInput) -> CategoriseOutput:
        text = f"{input.subject} {input.description}".lower()
        for category, stems in KEYWORDS:
            matched = [s for s in stems if re.search(rf"\b{re.escape(s)}", text)]
            if matched:
                activity.logger.info(
                    f"categorised as {category}", extra={"step": "categorise", "matched": matched}
                )
                return CategoriseOutput.model_validate({"category": category, "matched": matched})
        activity.logger.info("categorised as other", extra={"step": "categorise"})
        return CategoriseOutput(category="other", matched=[])

    @activity.defn(name="assign_agent")
    def assign_agent(self, input: AssignInput) -> AssignOutput:
        """The agent with the fewest assignments so far (ties: by name); booked under the
        run's key, so a retry returns the first choice instead of choosing again."""
        existing = self._store.bookings("ticket_assignment")
        for booking in existing:
            if booking.key == input.key:
                return AssignOutput(agent=booking.subject, reference=booking.reference)
        load = {agent: 0 for agent in input.agents}
        for booking in existing:
            if booking.subject in load:
                load[booking.subject] += 1
        agent = min(sorted(load), key=lambda a: load[a])
        booked = self._store.book(input.key, "ticket_assignment", agent, {"agent": agent})
        activity.logger.info(f"assigned {booked.subject}", extra={"step": input.step, "load": load})
        return AssignOutput(agent=booked.subject, reference=booked.reference)
