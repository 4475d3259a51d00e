"""Approval routed by a decision table, written once: the request's table names its
approvers (or approves it automatically), and each routed approver decides in rule order
until one rejects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.human import DecisionInput
    from valuechain.models.rules_driven import RoutedInput
    from valuechain.rules import TableDecision

from workflows.human.steps import HumanSteps
from workflows.human.system import R, SystemSteps

AUTOMATIC = "automatic"  # the approver a table names for a request nobody needs to approve


@dataclass
class Routed:
    """How a routed approval ended: the route, the roles that approved (in order) and
    the rejection that stopped it, if one did."""

    route: TableDecision
    approvers: list[str]
    rejection: DecisionInput | None


class RoutedApprovals(HumanSteps, SystemSteps[R]):
    def routed(self, input: RoutedInput[Any]) -> TableDecision:
        """The input's table's decision, logged with the rules that hit."""
        route = input.route()
        rules = ", ".join(route.rules)
        self.log(f"routed by {route.table} v{route.version}: rules {rules}", step="route")
        return route

    async def approve_as_routed(self, input: RoutedInput[Any], summary: str) -> Routed:
        """One approval step per approver the input's table routes to, in rule order,
        each shown `summary` and the rule that routed it; an automatic approval is
        recorded as the system's decision."""
        route = self.routed(input)
        if AUTOMATIC in route.values("approver"):
            self.system_decision("automatic_approval", "approve", "under the approval threshold")
        approved: list[str] = []
        for hit in route.hits:
            role = hit.outputs["approver"]
            if role == AUTOMATIC:
                continue
            decision = await self.approval(
                f"{role}_approval",
                role,
                escalate_to=hit.outputs["escalate_to"],
                summary=f"{summary} (rule {hit.rule} of {route.table} v{route.version})",
            )
            if decision.decision == "reject":
                return Routed(route, approved, decision)
            approved.append(role)
        return Routed(route, approved, None)
