"""Time-off request: the manager approves, then HR records it in the system of record."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.bookings import BookingActivities
    from valuechain.models.timeoff import TimeOffInput, TimeOffResult

from workflows.human import HumanWorkflow


@workflow.defn(name="TimeOffRequest")
class TimeOffRequestWorkflow(HumanWorkflow[TimeOffResult]):
    @workflow.run
    async def run(self, input: TimeOffInput) -> TimeOffResult:
        input = await self.begin(input)
        req = input.request

        approval = await self.approval("manager_approval", "manager", escalate_to="director")
        if approval.decision == "reject":
            return await self.rejected(approval, days=req.days)
        record = await self.book(
            "hr_record", BookingActivities.record_time_off,
            f"record {req.days} days of {req.kind} for {req.employee}",
            employee=req.employee, first_day=req.first_day, last_day=req.last_day, kind=req.kind,
        )  # fmt: skip
        return await self.finish(
            "recorded",
            f"recorded by HR as {record.reference}",
            days=req.days,
            hr_reference=record.reference,
        )
