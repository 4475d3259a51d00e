"""Drill: malformed updates, as a careless client sends them (raw JSON, not our models):
each is refused with a message naming the field, nothing is written to the history, and
the worker goes on serving the run."""

from __future__ import annotations

from tests.helpers import App, decide, open_task, until_idle
from tests.helpers.cases import CASES, start_case
from tests.helpers.orders import seeded, shipped_order, wait_order
from tests.helpers.refusals import refused

GOOD = {"actor": "maria", "decision": "approve"}
LONG = "x" * 5000


DECIDE_CASES = [
    ({**GOOD}, "task_id"),  # missing field
    ({**GOOD, "task_id": 7}, "task_id"),  # wrong type
    ({**GOOD, "task_id": "T", "actor": LONG}, "actor"),  # over-long
    ({**GOOD, "task_id": "T", "comment": LONG}, "comment"),
    ({**GOOD, "task_id": "T", "attachments": "a.pdf"}, "attachments"),  # not a list
    ({**GOOD, "task_id": "T", "scheduled_for": "next week"}, "scheduled_for"),
    ({**GOOD, "task_id": "T", "bonus": 1}, "bonus"),  # unknown field
    ("{not json", "DecisionInput"),
]


async def test_malformed_decisions(app: App) -> None:
    env, task_queue = app.env, app.task_queue
    case = CASES[0]
    async with app.worker():
        h = await start_case(env.client, case, task_queue)
        handle = env.client.get_workflow_handle(h.id)  # untyped: payloads go as they are
        await open_task(h, case.first_step)
        await until_idle(h)
        for payload, field in DECIDE_CASES:
            message = await refused(handle, "decide", payload)
            assert field in message, (payload, message)
        # The run and its worker carry on.
        await decide(h, case.first_step, "maria", "approve")
        await open_task(h, case.happy_path[1].step)
        await h.terminate("drill done")


ORDER_CASES = [
    ("payment_received", {"payment_id": "P1", "amount": "-5"}, "amount"),
    ("payment_received", {"payment_id": "P1", "amount": "1e20"}, "amount"),
    ("payment_received", {"payment_id": "P1", "amount": "lots"}, "amount"),
    ("payment_received", {"payment_id": LONG, "amount": "5"}, "payment_id"),
    ("payment_received", {"amount": "5"}, "payment_id"),
    ("shipment_delivered", {"shipment": 12}, "shipment"),
    ("shipment_delivered", {"shipment": "S", "delivered_at": "soon"}, "delivered_at"),
    ("cancel", {"reason": LONG, "by": "buyer"}, "reason"),
    ("cancel", {"reason": "changed mind"}, "by"),
    ("cancel", [], "CancelInput"),
]


async def test_malformed_order_events(app: App) -> None:
    env, store = app.env, app.store
    seeded(store)
    async with app.worker():
        h, _ = await shipped_order(app, {"KETTLE-2": 1})
        handle = env.client.get_workflow_handle(h.id)
        for update, payload, field in ORDER_CASES:
            message = await refused(handle, update, payload)
            assert field in message, (update, payload, message)
        view = await wait_order(h, lambda v: not v.finished, "the order, still open")
        await h.terminate("drill done")
    assert view.stage == "shipping"
    assert view.paid == 0
