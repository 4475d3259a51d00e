"""Pick and pack."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.order_to_cash import OrderActivities
    from valuechain.models.orders import PackInput, PackOrderInput, PackOutput, PackResult

from workflows.order_to_cash.stage import OrderStage


@workflow.defn(name="PickPack")
class PickPack(OrderStage[PackResult]):
    @workflow.run
    async def run(self, input: PackInput) -> PackResult:
        input = await self.begin_stage(input)
        order = input.order
        packed: PackOutput = await self.automated(
            "pack",
            OrderActivities.pack_order,
            PackOrderInput(key=f"{order.order_id}:pack", step="pack", order=order),
            f"pick and pack {len(order.lines)} line(s)",
        )
        return await self.finish(
            "packed",
            f"{packed.packages} package(s), {packed.weight_kg} kg",
            packages=packed.packages,
            weight_kg=packed.weight_kg,
            packing_reference=packed.reference,
        )
