"""Shipment planning: the mode and carrier by the shipment_mode decision table."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from valuechain.models.orders import PlanInput, PlanResult

from workflows.human import loaded
from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="ShipmentPlanning")
class ShipmentPlanning(OrderStage[PlanResult]):
    """The mode (land, sea, air) comes from the shipment_mode decision table."""

    @workflow.run
    async def run(self, input: PlanInput) -> PlanResult:
        input = await self.begin_stage(input)
        order = input.order
        days_to_due = (order.due_date - workflow.now().date()).days
        route = loaded(input.table).evaluate(
            {
                "weight_kg": order.weight_kg,
                "distance_km": order.distance_km,
                "days_to_due": days_to_due,
            }
        )
        out = route.hits[0].outputs
        self.system_decision("choose_mode", out["mode"], f"rule {route.rules[0]} v{route.version}")
        return await self.finish(
            "planned",
            f"{out['mode']} with {out['carrier']}",
            mode=out["mode"],
            carrier=out["carrier"],
            transit_days=int(out["transit_days"]),
            table_version=route.version,
            rule=route.rules[0],
        )
