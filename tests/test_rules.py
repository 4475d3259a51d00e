"""Decision tables: exact boundaries, broken files refused with the rule and field named,
and rules-driven workflows that record the table version and rules that routed them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import App, decide, listed, open_task, run_context, until_idle
from tests.helpers.cases import PURCHASE, purchase
from tests.helpers.history import record_history
from tests.helpers.refusals import file_refusal
from valuechain.models.rules_driven import (
    ComplaintInput,
    ComplaintRequest,
    InvoiceInput,
    InvoiceRequest,
)
from valuechain.rules import TableError, load_table
from workflows.complaint import ComplaintTriage
from workflows.invoice import InvoiceApproval
from workflows.purchase import PurchaseApproval

TABLES = Path(__file__).resolve().parents[1] / "valuechain" / "tables"
INVOICE = load_table(TABLES / "invoice_approval.toml")
TRIAGE = load_table(TABLES / "complaint_triage.toml")


@pytest.mark.parametrize(
    ("amount", "category", "rules"),
    [
        ("0.01", "office", ["automatic"]),
        ("499.99", "office", ["automatic"]),
        ("500.00", "office", ["manager"]),  # $500.00 is the manager's, not automatic
        ("4999.99", "office", ["manager"]),
        ("5000.00", "office", ["director"]),  # $5,000.00 is the director's
        ("50000.00", "office", ["director"]),  # "over $50,000" starts above it
        ("50000.01", "office", ["cfo"]),
        ("499.99", "it", ["automatic", "it_review"]),  # IT review whatever the amount
        ("500.00", "it", ["manager", "it_review"]),
        ("75000.00", "it", ["cfo", "it_review"]),
    ],
)
def test_purchase_boundaries(amount: str, category: str, rules: list[str]) -> None:
    decision = PURCHASE.evaluate({"amount": Decimal(amount), "category": category})
    assert decision.rules == rules
    assert (decision.table, decision.version) == ("purchase_approval", "2026-11-01")


@pytest.mark.parametrize(
    ("amount", "vendor", "approver"),
    [
        ("999.99", "staples", "ap_clerk"),
        ("1000.00", "staples", "finance"),
        ("10000.00", "staples", "finance"),  # "over $10,000" needs the CFO
        ("10000.01", "staples", "cfo"),
        ("50.00", "globex", "procurement_lead"),
        ("10000.01", "globex", "cfo"),
    ],
)
def test_invoice_boundaries(amount: str, vendor: str, approver: str) -> None:
    decision = INVOICE.evaluate({"amount": Decimal(amount), "vendor": vendor})
    assert decision.values("approver") == [approver]


@pytest.mark.parametrize(
    ("category", "severity", "route"),
    [
        ("safety", "low", "immediate"),
        ("safety", "high", "immediate"),
        ("billing", "high", "priority"),
        ("billing", "medium", "standard"),
    ],
)
def test_triage_routes(category: str, severity: str, route: str) -> None:
    decision = TRIAGE.evaluate({"category": category, "severity": severity})
    assert decision.values("route") == [route]


def test_facts_must_fit_the_table() -> None:
    with pytest.raises(TableError, match="input 'category' is missing"):
        PURCHASE.evaluate({"amount": Decimal(10)})
    with pytest.raises(TableError, match="input 'amount' must be a number"):
        PURCHASE.evaluate({"amount": "lots", "category": "it"})


GOOD_HEAD = """
name = "t"
version = "1"
hit_policy = "first"
inputs = [{ name = "amount", type = "number" }, { name = "vendor", type = "string" }]
outputs = [{ name = "approver" }]
"""


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            '[[rules]]\nid = "big"\nwhen = { amont = { gt = 10 } }\nthen = { approver = "cfo" }',
            "rule 'big': when.amont: no such input (inputs: amount, vendor)",
        ),
        (
            '[[rules]]\nid = "big"\nwhen = { vendor = { gt = 10 } }\nthen = { approver = "cfo" }',
            "rule 'big': when.vendor.gt: not an operator for a string input",
        ),
        (
            '[[rules]]\nid = "big"\nwhen = { amount = { gt = "ten" } }\n'
            'then = { approver = "cfo" }',
            "rule 'big': when.amount.gt: Input should be a valid decimal",
        ),
        (
            '[[rules]]\nid = "big"\nwhen = { amount = { gt = 10 } }\nthen = { }',
            "rule 'big': then: missing output approver",
        ),
        (
            '[[rules]]\nid = "a"\nthen = { approver = "x" }\n'
            '[[rules]]\nid = "a"\nthen = { approver = "y" }',
            "rule 'a': the id is used by an earlier rule",
        ),
        (
            '[[rules]]\nid = "a"\nthen = { approver = "x", colour = "red" }',
            "rule 'a': then.colour: no such output",
        ),
        ('[[rules]]\nid = "Bad Id"\nthen = { approver = "x" }', "rule 'Bad Id': id: String"),
        ("", "rules: Field required"),
    ],
)
def test_broken_rules_files_are_refused(tmp_path: Path, rules: str, message: str) -> None:
    path = tmp_path / "table.toml"
    path.write_text(GOOD_HEAD + rules)
    said = file_refusal(load_table, path, TableError)
    assert said.startswith(f"rules file {path} is invalid:")
    assert message in said


def test_unreadable_rules_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = ")
    with pytest.raises(TableError, match="not valid TOML"):
        load_table(bad)
    with pytest.raises(TableError, match="No such file"):
        load_table(tmp_path / "missing.toml")


async def test_purchase_under_threshold_is_approved_automatically(app: App) -> None:
    task_queue = app.task_queue
    async with app.worker():
        result = await app.run(PurchaseApproval.run, purchase(task_queue, "120.00"), "purchase")
    assert (result.status, result.approvers) == ("approved", [])
    assert result.route.rules == ["automatic"]
    assert [(s.step, s.performer) for s in result.steps] == [("automatic_approval", "system")]


async def test_it_purchase_needs_manager_and_it_review(app: App) -> None:
    env, task_queue = app.env, app.task_queue
    async with app.worker():
        h = await app.start(PurchaseApproval.run, purchase(task_queue, "500.00", "it"), "purchase")
        task = await open_task(h, "manager_approval")
        assert "rule manager of purchase_approval v2026-11-01" in task.summary
        query = (
            f'WorkflowId="{h.id}" AND ValuechainAmount >= 500 AND ValuechainWaitingRole="manager"'
        )
        assert await listed(env.client, query) == [h.id]
        await decide(h, "manager_approval", "maria", "approve")
        await decide(h, "it_review_approval", "ivan", "approve")
        result = await h.result()
        await record_history(h, "purchase")
    assert (result.status, result.approvers) == ("approved", ["manager", "it_review"])
    assert result.route.rules == ["manager", "it_review"]
    assert result.route.version == "2026-11-01"


async def test_cfo_rejection_ends_the_purchase(app: App) -> None:
    task_queue = app.task_queue
    async with app.worker():
        h = await app.start(PurchaseApproval.run, purchase(task_queue, "50000.01"), "purchase")
        await decide(h, "cfo_approval", "carla", "reject", comment="not this year")
        result = await h.result()
    assert (result.status, result.route.rules, result.approvers) == ("rejected", ["cfo"], [])


async def test_a_run_keeps_the_table_it_started_with(app: App, tmp_path: Path) -> None:
    task_queue = app.task_queue
    path = tmp_path / "purchase_approval.toml"
    original = (TABLES / "purchase_approval.toml").read_text()
    path.write_text(original)
    async with app.worker():
        before = await app.start(
            PurchaseApproval.run, purchase(task_queue, "700.00", table=load_table(path)), "purchase"
        )
        await open_task(before, "manager_approval")
        # Finance raises the automatic threshold to $1,000 while that request waits.
        path.write_text(
            original.replace('version = "2026-11-01"', 'version = "2026-12-01"')
            .replace("lt = 500.00", "lt = 1000.00")
            .replace("ge = 500.00", "ge = 1000.00")
        )
        after = await app.run(
            PurchaseApproval.run, purchase(task_queue, "700.00", table=load_table(path)), "purchase"
        )
        await decide(before, "manager_approval", "maria", "approve")
        kept = await before.result()
    assert (kept.route.version, kept.route.rules, kept.approvers) == (
        "2026-11-01",
        ["manager"],
        ["manager"],
    )
    assert (after.route.version, after.route.rules, after.approvers) == (
        "2026-12-01",
        ["automatic"],
        [],
    )


async def test_invoice_over_10000_waits_on_the_cfo_with_reminders(app: App) -> None:
    store, task_queue = app.store, app.task_queue
    ctx = run_context(task_queue, remind=timedelta(seconds=1))
    inp = InvoiceInput(
        request=InvoiceRequest(
            invoice_number="INV-77",
            vendor="staples",
            amount=Decimal("12500.00"),
            submitted_by="adam",
        ),
        context=ctx,
        table=INVOICE,
    )
    async with app.worker():
        h = await app.start(InvoiceApproval.run, inp, "invoice")
        task = await open_task(h, "cfo_approval")
        assert task.role == "cfo"
        reminded = False
        while not reminded:  # reminders go out while it waits
            await until_idle(h)
            reminded = any(n.kind == "reminder" for n in store.outbox(workflow_id=h.id))
        await decide(h, "cfo_approval", "carla", "approve")
        result = await h.result()
        await record_history(h, "invoice")
    assert (result.status, result.route.rules) == ("approved", ["cfo"])
    assert result.steps[0].reminders_sent >= 1


@pytest.mark.parametrize(
    ("category", "severity", "handler", "actor", "immediate"),
    [
        ("safety", "low", "safety_officer", "sam", True),
        ("billing", "medium", "agent", "tom", False),
    ],
)
async def test_complaint_triage(
    app: App,
    category: str,
    severity: str,
    handler: str,
    actor: str,
    immediate: bool,
) -> None:
    inp = ComplaintInput(
        request=ComplaintRequest.model_validate(
            {
                "customer": "Jo Park",
                "subject": "Kettle sparks",
                "category": category,
                "severity": severity,
            }
        ),
        context=run_context(app.task_queue),
        table=TRIAGE,
    )
    async with app.worker():
        h = await app.start(ComplaintTriage.run, inp, "complaint")
        task = await open_task(h, "resolve")
        assert task.role == handler
        await until_idle(h)
        escalations = [n for n in app.store.outbox(workflow_id=h.id) if n.kind == "escalation"]
        # Escalated at once: before anyone decided anything.
        assert [n.recipient for n in escalations] == (["role:safety_officer"] if immediate else [])
        await decide(h, "resolve", actor, "resolve", comment="replaced the kettle")
        result = await h.result()
        await record_history(h, f"complaint-{category}")
    assert result.status == "resolved"
    assert result.escalated_immediately is immediate
    assert result.steps[0].step == "triage"
