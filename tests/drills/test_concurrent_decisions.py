"""Drill: many people decide the same step at the same moment: exactly one decision
wins, every other caller gets a clear refusal, and the run records one decision."""

from __future__ import annotations

import asyncio

from temporalio.client import WorkflowUpdateFailedError

from tests.helpers import App, open_task
from tests.helpers.cases import CASES, start_case
from tests.helpers.keys import signed
from valuechain.models.human import DecisionInput
from workflows.human import HumanWorkflow


async def test_concurrent_decisions_on_one_step(app: App) -> None:
    env, task_queue = app.env, app.task_queue
    case = CASES[0]
    async with app.worker():
        h = await start_case(env.client, case, task_queue)
        task = await open_task(h, case.first_step)
        managers = ["maria", "dev"] * 5

        async def attempt(actor: str) -> str:
            decision = signed(
                h.id, DecisionInput(task_id=task.task_id, actor=actor, decision="approve")
            )
            try:
                await h.execute_update(HumanWorkflow.decide, decision)
            except WorkflowUpdateFailedError as err:
                return f"refused: {err.cause}"
            return "won"

        outcomes = await asyncio.gather(*(attempt(a) for a in managers))
        state = await h.query(HumanWorkflow.state)
        await h.terminate("drill done")
    assert outcomes.count("won") == 1, outcomes
    refusals = [o for o in outcomes if o != "won"]
    assert all("already decided" in o for o in refusals), refusals
    decided = [s for s in state.steps if s.step == case.first_step]
    assert len(decided) == 1
