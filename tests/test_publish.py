"""What a run publishes (stage, waiting roles, summary) when publishing itself breaks: the
run stops at its next publication with a failed workflow task, retried until a fixed
worker runs it, rather than completing with its stage left unpublished."""

from __future__ import annotations

import asyncio
import contextlib

from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus

# This module defines a workflow, so the sandbox imports it again: what it uses besides
# the workflow comes through as it is, as in the project's workflows.
with workflow.unsafe.imports_passed_through():
    from tests.helpers import App, decide, eventually, open_task, run_context
    from tests.helpers.cases import CASES
    from tests.helpers.keys import signed
    from valuechain.models.expense import ExpenseInput, ExpenseResult
    from valuechain.models.human import DecisionInput

from workflows.expense import ExpenseReimbursement
from workflows.human import HumanWorkflow

EXPENSE = CASES[0]


@workflow.defn(name="ExpenseWithBrokenSummary")
class ExpenseWithBrokenSummary(ExpenseReimbursement):
    """The expense workflow with a summary that breaks once finance's step opens."""

    @workflow.run
    async def run(self, input: ExpenseInput) -> ExpenseResult:
        return await super().run(input)

    def summary_line(self) -> str:
        if self._stage == "finance_approval":
            raise ValueError("summary broken")
        return super().summary_line()


async def test_a_broken_publication_stops_the_run_at_its_next_one(app: App) -> None:
    async with app.worker(workflows=[ExpenseWithBrokenSummary]):
        inp = EXPENSE.make_input(run_context(app.task_queue), "alice")
        assert isinstance(inp, ExpenseInput)
        h = await app.start(ExpenseWithBrokenSummary.run, inp, "broken")
        await decide(h, "manager_review", "maria", "approve")  # opens finance: breaks
        finance = await open_task(h, "finance_approval")
        given = signed(h.id, DecisionInput(task_id=finance.task_id, actor="fiona",
                                           decision="approve"))  # fmt: skip
        # Finance's decision wakes the run, whose next publication raises the error.
        sent = asyncio.create_task(h.execute_update(HumanWorkflow.decide, given))

        async def failed_tasks() -> list[str]:
            return [
                e.workflow_task_failed_event_attributes.failure.message
                async for e in h.fetch_history_events()
                if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
            ]

        said = await eventually(failed_tasks, bool, "a failed workflow task")
        sent.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sent
        status = (await h.describe()).status
        await h.terminate("test done")
    assert "publishing the run's stage failed" in said[0]
    assert status == WorkflowExecutionStatus.RUNNING
