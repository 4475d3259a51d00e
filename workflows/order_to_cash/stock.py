"""The stock check: reserve what is on hand, order production for the rest and wait for it."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.order_to_cash import OrderActivities
    from valuechain import errors
    from valuechain.models.orders import ReserveInput, StockInput, StockResult
    from valuechain.models.records import BookingOutput

from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="StockCheck")
class StockCheck(OrderStage[StockResult]):
    """Reserve every line; a line short of stock is produced first (production order,
    the lead time on a durable timer, the receipt) and then reserved."""

    @workflow.run
    async def run(self, input: StockInput) -> StockResult:
        input = await self.begin_stage(input)
        order = input.order
        reservations: list[str] = []
        produced: list[str] = []
        for line in order.lines:

            def key(
                what: str, sku: str = line.sku, qty: int = line.qty, held: bool = False
            ) -> ReserveInput:
                return ReserveInput(
                    key=f"{order.order_id}:{what}:{sku}",
                    step=what,
                    order_id=order.order_id,
                    sku=sku,
                    qty=qty,
                    held=held,
                )

            try:
                booked: BookingOutput = await self.automated(
                    "reserve",
                    OrderActivities.reserve_stock,
                    key("reserve"),
                    f"reserve {line.qty} x {line.sku}",
                    business_errors=(errors.STOCK_SHORT,),
                )
            except ActivityError as err:
                self.log(f"short of {line.sku}: {err.cause}; scheduling production", "reserve")
                made: BookingOutput = await self.automated(
                    "produce",
                    OrderActivities.schedule_production,
                    key("produce"),
                    f"produce {line.qty} x {line.sku}",
                )
                produced.append(made.reference)
                self.set_stage("in_production")
                await workflow.sleep(
                    input.production_lead_time, summary=f"production of {line.sku}"
                )
                # Runs from before this change received into free stock, where another
                # order could take the units before this one reserved them.
                held = workflow.patched("reserve-on-receipt")
                await self.automated(
                    "receive",
                    OrderActivities.receive_production,
                    key("receive", held=held),
                    f"receive {line.qty} x {line.sku} from production",
                )
                booked = await self.automated(
                    "reserve",
                    OrderActivities.reserve_stock,
                    key("reserve", held=held),
                    f"reserve {line.qty} x {line.sku}",
                )
            reservations.append(booked.reference)
        return await self.finish(
            "reserved",
            f"{len(reservations)} line(s) reserved",
            reservations=reservations,
            production_orders=produced,
        )
