"""Getting the goods out: pick and pack, shipment planning by table, shipping and the
carrier's delivery confirmation."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.order_to_cash import OrderActivities
    from valuechain.messages import Raw, parse
    from valuechain.models.orders import (
        DeliveryInput,
        DeliveryOutput,
        PackInput,
        PackOrderInput,
        PackOutput,
        PackResult,
        PlanInput,
        PlanResult,
        ShipInput,
        ShipOrderInput,
        ShipResult,
    )

from workflows.human import loaded
from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="PickPack")
class PickPack(OrderStage):
    @workflow.run
    async def run(self, input: PackInput) -> PackResult:
        order = input.order
        await self.begin_stage(input, "pick and pack", order)
        packed: PackOutput = await self.automated(
            "pack",
            OrderActivities.pack_order,
            PackOrderInput(key=f"{order.order_id}:pack", step="pack", order=order),
            f"pick and pack {len(order.lines)} line(s)",
        )
        return await self.finish(
            PackResult,
            "packed",
            f"{packed.packages} package(s), {packed.weight_kg} kg",
            packages=packed.packages,
            weight_kg=packed.weight_kg,
            packing_reference=packed.reference,
        )


@workflow.defn(name="ShipmentPlanning")
class ShipmentPlanning(OrderStage):
    """The mode (land, sea, air) comes from the shipment_mode decision table."""

    @workflow.run
    async def run(self, input: PlanInput) -> PlanResult:
        order = input.order
        input = await self.begin_stage(input, "shipment planning", order)
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
            PlanResult,
            "planned",
            f"{out['mode']} with {out['carrier']}",
            mode=out["mode"],
            carrier=out["carrier"],
            transit_days=int(out["transit_days"]),
            table_version=route.version,
            rule=route.rules[0],
        )


@workflow.defn(name="Shipping")
class Shipping(OrderStage):
    """Load and ship, then wait for the carrier's delivery confirmation: an update with
    validation when sent from outside, a signal when the process forwards it."""

    def __init__(self) -> None:
        super().__init__()
        self._shipment: str | None = None
        self._delivered: DeliveryOutput | None = None

    @workflow.signal(name="delivered")
    def delivered(self, input: DeliveryInput) -> None:
        if self._delivered is None and input.shipment == self._shipment:
            self._delivered = DeliveryOutput(
                shipment=input.shipment, delivered_at=input.delivered_at or workflow.now()
            )

    @workflow.update
    def confirm_delivery(self, input: DeliveryInput | Raw) -> DeliveryOutput:
        input = parse(DeliveryInput, input, "delivery")
        self.delivered(input)
        assert self._delivered is not None  # the validator saw to it
        return self._delivered

    @confirm_delivery.validator
    def _check_delivery(self, input: DeliveryInput | Raw) -> None:
        input = parse(DeliveryInput, input, "delivery")
        check_delivery(self._shipment, self._delivered is not None, input)

    @workflow.run
    async def run(self, input: ShipInput) -> ShipResult:
        order = input.order
        await self.begin_stage(input, f"{input.mode} shipping", order)
        shipped = await self.automated(
            "ship",
            OrderActivities.ship_order,
            ShipOrderInput(
                key=f"{order.order_id}:ship",
                step="ship",
                order=order,
                mode=input.mode,
                carrier=input.carrier,
            ),
            f"load and ship by {input.mode} with {input.carrier}",
        )
        self._shipment = shipped.reference
        shipped_at = workflow.now()
        parent = workflow.info().parent
        if parent is not None:  # tell the process which shipment the carrier will confirm
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(
                "shipped", shipped.reference
            )
        self.set_stage("in_transit")
        expected = timedelta(days=input.transit_days) + input.delivery_grace
        try:
            await workflow.wait_condition(
                lambda: self._delivered is not None,
                timeout=expected,
                timeout_summary="delivery expected by",
            )
        except TimeoutError:
            await self.notify(
                "escalation",
                "role:logistics",
                f"Overdue: {self.subject}",
                f"shipment {shipped.reference} is not delivered yet",
                step="ship",
            )
            await workflow.wait_condition(lambda: self._delivered is not None)
        assert self._delivered is not None
        return await self.finish(
            ShipResult,
            "delivered",
            f"shipment {shipped.reference} delivered",
            shipment=shipped.reference,
            mode=input.mode,
            shipped_at=shipped_at,
            delivered_at=self._delivered.delivered_at,
        )


def check_delivery(shipment: str | None, delivered: bool, input: DeliveryInput) -> None:
    """The one rule for a delivery confirmation, used by Shipping and by the process."""
    if shipment is None:
        raise ValueError("nothing has shipped yet for this order")
    if delivered:
        raise ValueError(f"shipment {shipment} is already delivered")
    if input.shipment != shipment:
        raise ValueError(f"unknown shipment '{input.shipment}'; this order ships as {shipment}")
