"""Decisions and partner events are accepted only when signed by a key the run trusts,
for this run and this task, recently; the signer is recorded. Checked first as pure
rules, then on the real server, where a refusal writes nothing."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers import App, decide, open_task
from tests.helpers.cases import CASES, start_case
from tests.helpers.cli import run_cli
from tests.helpers.keys import ADMIN_KEY, PARTNER_KEY, TASKLIST_KEY, TRUST, signed
from tests.helpers.orders import seeded, settle, shipped_order
from tests.helpers.refusals import file_refusal, refused, refused_decision
from valuechain.identity.keys import (
    KeyFileError,
    SigningKey,
    load_key,
    load_trust,
    new_key,
    trust_key,
    write_key,
)
from valuechain.identity.signing import signature_refusal
from valuechain.models.human import DecisionInput
from valuechain.models.orders import DeliveryInput
from workflows.order_to_cash.process import OrderToCash

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DECISION = DecisionInput(task_id="manager_review-1", actor="maria", decision="approve")


def check(decision: DecisionInput, workflow_id: str = "wf-1", now: datetime = NOW) -> str | None:
    why, _ = signature_refusal(
        decision.signature, decision, workflow_id, decision.task_id, TRUST, now
    )
    return why


def signed_at(
    decision: DecisionInput,
    key: SigningKey = TASKLIST_KEY,
    *,
    workflow_id: str = "wf-1",
    subject: str = "",
    at: datetime = NOW,
) -> DecisionInput:
    signature = key.sign(workflow_id, subject or decision.task_id, decision, at)
    return decision.model_copy(update={"signature": signature})


def test_a_signed_decision_is_accepted_and_names_its_key() -> None:
    decision = signed_at(DECISION)
    why, key = signature_refusal(decision.signature, decision, "wf-1", DECISION.task_id, TRUST, NOW)
    assert why is None
    assert key is not None
    assert (key.kind, key.holder) == ("tasklist", "tasklist")
    # The JSON it travels as checks the same (times and fields as the other side reads them).
    assert check(DecisionInput.model_validate_json(decision.model_dump_json())) is None


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: DECISION, "unsigned decision"),
        (lambda: signed_at(DECISION, new_key("stranger", "x", "tasklist")),
         "key 'stranger', which this run does not trust"),
        (lambda: signed_at(DECISION, workflow_id="wf-2"), "signed for workflow 'wf-2', not this"),
        (lambda: signed_at(DECISION, subject="finance_approval-2"),
         "signed for 'finance_approval-2', not 'manager_review-1'"),
        (lambda: signed_at(DECISION, at=NOW - timedelta(minutes=6)), "the signature is 360s old"),
        (lambda: signed_at(DECISION, at=NOW + timedelta(minutes=2)), "signed 120s in the future"),
        (lambda: signed_at(DECISION).model_copy(update={"decision": "reject"}), "bad signature"),
        (lambda: signed_at(DECISION).model_copy(update={"actor": "dev"}), "bad signature"),
        (lambda: signed_at(DECISION).model_copy(update={"comment": "added later"}),
         "bad signature"),
        (lambda: signed_at(DECISION).model_copy(update={"attachments": ["swapped.pdf"]}),
         "bad signature"),
        (lambda: signed_at(DECISION, PARTNER_KEY),
         "key 'test-partners' is a partner key; a decision needs a tasklist or admin key"),
    ],
    ids=["unsigned", "untrusted key", "other workflow", "other task", "too old", "future",
         "decision changed", "actor changed", "comment added", "attachments changed",
         "partner key"],
)  # fmt: skip
def test_what_a_run_refuses(make: Callable[[], DecisionInput], message: str) -> None:
    why = check(make())
    assert why is not None
    assert message in why


def test_key_files(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ops.key"
    key = new_key("ops-1", "ops", "admin")
    write_key(path, key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # a private key: its owner only
    with pytest.raises(KeyFileError, match="exists already"):
        write_key(path, new_key("ops-1", "ops", "admin"))  # never overwritten
    loaded = load_key(path)
    assert loaded.trusted() == key.trusted()

    trust = tmp_path / "trust.toml"
    trust_key(trust, key.trusted())
    trust_key(trust, key.trusted())  # the same key again: nothing changes
    assert load_trust(trust).keys == [key.trusted()]
    with pytest.raises(KeyFileError, match="'ops-1' is there with another key"):
        trust_key(trust, new_key("ops-1", "ops", "admin").trusted())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key_id = 'a'\nholder = 'b'\nkind = 'god'\nprivate_key = 'x'\n", "kind"),
        ("key_id = 'a'\nholder = 'b'\nkind = 'admin'\nprivate_key = 'x'\n",
         "private_key is not a PEM private key"),
        ("key_id = \n", "not valid TOML"),
    ],
)  # fmt: skip
def test_bad_key_files_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.key"
    path.write_text(text)
    said = file_refusal(load_key, path, KeyFileError)
    assert message in said


async def test_the_run_refuses_unproven_decisions_and_records_the_signer(app: App) -> None:
    case = CASES[0]  # expense: manager review, then finance
    async with app.worker():
        h = await start_case(app.client, case, app.task_queue)
        task = await open_task(h, case.first_step)
        decision = DecisionInput(task_id=task.task_id, actor="maria", decision="approve")
        now = datetime.now(UTC)
        attempts = {
            "unsigned decision": decision.model_copy(update={"signature": None}),
            "not this one": signed("another-workflow", decision),
            "bad signature": signed(h.id, decision).model_copy(update={"actor": "dev"}),
            "s old": signed_at(decision, workflow_id=h.id, at=now - timedelta(minutes=10)),
            "is a partner key": signed(h.id, decision, PARTNER_KEY),
            "which this run does not trust": signed(h.id, decision, new_key("x", "x", "admin")),
            # A signature made for another task of this run, replayed on this one.
            f"not '{task.task_id}'": signed(
                h.id, decision.model_copy(update={"task_id": "manager_review-0"})
            ).model_copy(update={"task_id": task.task_id}),
        }
        for message, attempt in attempts.items():
            # refused_decision signs only what carries no signature: send the unsigned raw.
            payload = attempt.model_dump(mode="json") if attempt.signature is None else attempt
            said = await refused_decision(h, payload)
            assert message in said, (message, said)

        # An administrator decides for maria from the terminal: accepted, recorded as such.
        await h.execute_update("decide", signed(h.id, decision, ADMIN_KEY))
        await decide(h, "finance_approval", "fiona", "approve")
        result = await h.result()
    assert [s.signed_by for s in result.steps if s.performer == "human"] == [
        "admin:ops",
        "tasklist:tasklist",
    ]


async def test_partner_events_must_be_signed_by_a_partner(app: App) -> None:
    seeded(app.store)
    async with app.worker():
        h, shipment = await shipped_order(app, {"KETTLE-2": 1})
        delivery = DeliveryInput(shipment=shipment, signed_by="front desk")
        unsigned = await refused(h, OrderToCash.shipment_delivered, delivery, moving=True)
        assert "unsigned delivery" in unsigned
        by_tasklist = TASKLIST_KEY.sign(h.id, "shipment_delivered", delivery, datetime.now(UTC))
        wrong_kind = await refused(
            h,
            OrderToCash.shipment_delivered,
            delivery.model_copy(update={"signature": by_tasklist}),
            moving=True,
        )
        assert "is a tasklist key; a delivery needs a partner or admin key" in wrong_kind
        assert (await settle(h)).status == "paid"  # signed by the partners: accepted


async def test_keys_command_makes_keys_and_lists_the_trusted(app: App, tmp_path: Path) -> None:
    trust, key = tmp_path / "trust.toml", tmp_path / "ops.key"
    env = app.process_env()
    made = await run_cli("keys", "create", "ops-1", "--holder", "ops", "--kind", "admin",
                         "--out", str(key), "--trust", str(trust), env=env)  # fmt: skip
    assert made.code == 0, made
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert load_trust(trust).keys == [load_key(key).trusted()]

    again = await run_cli("keys", "create", "ops-1", "--holder", "ops", "--kind", "admin",
                          "--out", str(key), env=env)  # fmt: skip
    assert again.code == 2
    assert "exists already" in again.err
    two = tmp_path / "two.key"
    bad = await run_cli("keys", "create", "Ops 2", "--holder", "ops", "--kind", "admin",
                        "--out", str(two), "--trust", str(trust), env=env)  # fmt: skip
    assert bad.code == 2
    assert "key_id" in bad.err
    assert not two.exists()
    assert len(load_trust(trust).keys) == 1  # nothing written

    listed = await run_cli("keys", "list", "--trust", str(trust), "--json", env=env)
    assert listed.code == 0, listed
    assert [(k["key_id"], k["kind"], k["holder"]) for k in json.loads(listed.out)] == [
        ("ops-1", "admin", "ops")
    ]
