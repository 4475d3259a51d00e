"""Complaint triage: a decision table sets route, handler and priority; a safety
complaint is escalated at once, before anyone picks it up."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.rules_driven import ComplaintInput, ComplaintResult

from workflows.human import HumanWorkflow


@workflow.defn(name="ComplaintTriage")
class ComplaintTriage(HumanWorkflow[ComplaintResult]):
    @workflow.run
    async def run(self, input: ComplaintInput) -> ComplaintResult:
        input = await self.begin(input)
        req = input.request
        route = self.routed(input)
        outputs = route.hits[0].outputs
        immediate = outputs["route"] == "immediate"
        self.system_decision(
            "triage", outputs["route"], f"{route.table} v{route.version} rule {route.rules[0]}"
        )
        if immediate:
            await self.notify(
                "escalation",
                f"role:{outputs['handler']}",
                f"Immediate: {req.subject}",
                f"{req.category} complaint from {req.customer}: {req.description}",
                step="triage",
            )
        handled = await self.human_step(
            self.spec(
                "resolve",
                outputs["handler"],
                ["resolve", "dismiss"],
                escalate_to="head_of_safety" if immediate else "supervisor",
                requires={"resolve": ["comment"], "dismiss": ["comment"]},
                summary=f"[{outputs['priority']}] {req.subject}",
            )
        )
        status = "resolved" if handled.decision == "resolve" else "dismissed"
        return await self.finish(
            status,
            f"{status} by {handled.actor}: {handled.comment}",
            route=route,
            priority=outputs["priority"],
            escalated_immediately=immediate,
            resolution=handled.comment,
        )
