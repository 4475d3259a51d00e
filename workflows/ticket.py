"""Support ticket, a state machine around the customer support process: routing
(categorise, triage by the complaint table, assign an agent, acknowledge), escalation
(a safety ticket at once, any ticket past its due time, or the agent's call) and
resolution (the customer confirms or reopens; a survey follows)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.support import SupportActivities
    from valuechain.models.machine import (
        AssignInput,
        AssignOutput,
        CategoriseInput,
        CategoriseOutput,
        TicketInput,
        TicketResult,
    )

from workflows.human import loaded
from workflows.statemachine import MachineWorkflow


@workflow.defn(name="SupportTicket")
class SupportTicket(MachineWorkflow[TicketResult]):
    @workflow.run
    async def run(self, input: TicketInput) -> TicketResult:
        input = await self.begin(input)
        req = input.request
        ticket = workflow.info().workflow_id

        category, automatic = req.category, req.category is None
        if category is None:
            found: CategoriseOutput = await self.automated(
                "categorise",
                SupportActivities.categorise_ticket,
                CategoriseInput(subject=req.subject, description=req.description),
                summary="categorise the ticket from its text",
            )
            category = found.category
        route = loaded(input.triage).evaluate({"category": category, "severity": req.severity})
        outputs = route.hits[0].outputs
        self.system_decision("triage", outputs["route"], f"rule {route.rules[0]}, {category}")
        assigned: AssignOutput = await self.automated(
            "assign",
            SupportActivities.assign_agent,
            AssignInput(
                key=self.booking_key("assign"),
                step="assign",
                agents=self.context.people.holders("agent"),
            ),
            summary="assign an agent",
        )
        self.start_machine(loaded(input.machine), owner=assigned.agent)
        await self.notify(
            "info",
            req.customer,
            f"We received your ticket {ticket}",
            f"'{req.subject}' is with {assigned.agent}, priority {outputs['priority']}",
            step="acknowledge",
        )

        immediate = outputs["route"] == "immediate"
        if immediate:
            self.apply("escalate", "system", f"{category}: escalated at once")
            await self._tell_escalated(req.customer, f"{category} tickets are escalated at once")

        while not self.finished:
            taken = await self.advance()
            if taken.target == "escalated":
                await self._tell_escalated(req.customer, taken.comment)

        await self.notify(
            "info",
            req.customer,
            f"How did we do on {ticket}?",
            "please answer our two-question survey",
            step="survey",
        )
        return await self.finish(
            "closed",
            f"closed after {len(self.transitions)} transitions",
            category=category,
            categorised_automatically=automatic,
            priority=outputs["priority"],
            agent=assigned.agent,
            route=route,
            escalated_immediately=immediate,
            transitions=self.transitions,
            survey_sent=True,
        )

    async def _tell_escalated(self, customer: str, why: str) -> None:
        await self.notify(
            "escalation",
            "role:supervisor",
            f"Escalated ticket: {self.subject}",
            why,
            step="escalated",
        )
        await self.notify(
            "info",
            customer,
            "Your ticket was escalated",
            "a supervisor is looking at it now",
            step="escalated",
        )
