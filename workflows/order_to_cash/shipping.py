"""Shipping: load and ship, then the carrier's delivery confirmation."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.order_to_cash import OrderActivities
    from valuechain.messages import Raw, parse
    from valuechain.models.orders import (
        DeliveryInput,
        DeliveryOutput,
        ShipInput,
        ShipOrderInput,
        ShipResult,
    )

from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="Shipping")
class Shipping(OrderStage[ShipResult]):
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
        input = await self.begin_stage(input)
        order = input.order
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
