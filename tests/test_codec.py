"""The payload codec on its own: what it writes holds none of the data, reads back the
same, survives a key rotation, names a missing key, refuses a tampered payload, and lets
payloads from before encryption through."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from tests.helpers import App, decide, eventually, open_task, worker
from tests.helpers.cases import CASES, start_case
from tests.helpers.cli import run_cli, running_workers
from tests.helpers.history import ENCRYPTED_HISTORIES, HISTORY_KEYS, record_history
from tests.helpers.orders import deliver, order_input, pay, seeded, start_order
from tests.helpers.refusals import file_refusal
from valuechain.codec import (
    ENCODING,
    KEY_ID,
    CodecError,
    EncryptionCodec,
    MissingKeyError,
    PayloadKeys,
    add_payload_key,
    encrypting,
    load_payload_keys,
)
from valuechain.converter import DATA_CONVERTER
from valuechain.models.expense import ExpenseRequest
from workflows.expense import ExpenseReimbursement

REQUEST = ExpenseRequest(
    employee="alice",
    amount="125.50",
    category="travel",
    description="Client visit, train tickets",
    receipts=["receipts/train.pdf"],
    payee_account="ACC-42",
)


async def test_round_trip_holds_none_of_the_data(tmp_path: Path) -> None:
    keys = add_payload_key(tmp_path / "payload-keys.toml", "k1")
    converter = encrypting(DATA_CONVERTER, keys)
    [sealed] = await converter.encode([REQUEST])
    assert sealed.metadata["encoding"] == ENCODING
    assert sealed.metadata[KEY_ID] == b"k1"
    for secret in (b"alice", b"125.50", b"ACC-42", b"train"):
        assert secret not in sealed.SerializeToString()
    [again] = await converter.encode([REQUEST])
    assert again.data != sealed.data  # a fresh nonce every time
    [back] = await converter.decode([sealed], [ExpenseRequest])
    assert back == REQUEST


async def test_rotation_keeps_older_payloads_readable(tmp_path: Path) -> None:
    path = tmp_path / "payload-keys.toml"
    old = add_payload_key(path, "k1")
    [under_k1] = await encrypting(DATA_CONVERTER, old).encode([REQUEST])
    rotated = add_payload_key(path, "k2")
    assert (rotated.primary, sorted(rotated.keys)) == ("k2", ["k1", "k2"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    converter = encrypting(DATA_CONVERTER, load_payload_keys(path))
    [under_k2] = await converter.encode([REQUEST])
    assert under_k2.metadata[KEY_ID] == b"k2"
    assert await converter.decode([under_k1, under_k2], [ExpenseRequest, ExpenseRequest]) == [
        REQUEST,
        REQUEST,
    ]
    # A process that has only the new key cannot read the old payload, and says which.
    only_k2 = PayloadKeys(primary="k2", keys={"k2": rotated.keys["k2"]})
    with pytest.raises(MissingKeyError, match="encrypted with key 'k1'") as caught:
        await EncryptionCodec(only_k2).decode([under_k1])
    assert caught.value.key_id == "k1"


async def test_tampered_and_plain_payloads(tmp_path: Path) -> None:
    keys = add_payload_key(tmp_path / "keys.toml", "k1")
    codec = EncryptionCodec(keys)
    [sealed] = await codec.encode([Payload(metadata={"encoding": b"json/plain"}, data=b"1")])
    tampered = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + b"\x00")
    with pytest.raises(CodecError, match="fails its check"):
        await codec.decode([tampered])
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"from before"')
    assert await codec.decode([plain]) == [plain]  # histories from before encryption


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('primary = "k9"\n[keys]\nk1 = "' + "A" * 43 + '="\n', "the primary key 'k9' is not"),
        ('primary = "k1"\n[keys]\nk1 = "c2hvcnQ="\n', "key 'k1' has 5 bytes; AES-256 needs 32"),
        ('primary = "k1"\n[keys]\nk1 = "not base64!"\n', "key 'k1' is not base64"),
    ],
)
def test_bad_key_files_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(text)
    said = file_refusal(load_payload_keys, path, CodecError)
    assert message in said


async def test_a_run_under_the_codec_leaves_no_data_in_its_history(
    app: App, tmp_path: Path
) -> None:
    """An expense run end to end with the codec on its client and worker: the history
    read without the codec holds none of its names, amounts or comments; with the codec
    it reads as before."""
    keys = load_payload_keys(HISTORY_KEYS)
    target = app.client.service_client.config.target_host
    sealed = await Client.connect(target, data_converter=encrypting(DATA_CONVERTER, keys))
    case = CASES[0]  # alice's expense, 125.50 to a fresh payee account
    async with worker(sealed, app.task_queue, app.store):
        h = await start_case(sealed, case, app.task_queue)
        await decide(h, "manager_review", "maria", "approve", comment="receipts check out")
        await decide(h, "finance_approval", "fiona", "approve")
        result = await h.result()
        state = await h.query(ExpenseReimbursement.state)  # readable with the codec
    assert result.status == "paid"
    assert "expense 125.50 USD (travel) for alice" in state.subject

    await record_history(h, "expense", ENCRYPTED_HISTORIES)
    raw = (await app.client.get_workflow_handle(h.id).fetch_history()).to_json()
    payee = next(s for s in app.store.bookings(kind="payout")).payload["account"]
    for secret in ("alice", "125.50", "receipts check out", "Client visit", payee):
        assert secret not in raw, f"{secret!r} is in the history in the clear"


async def test_commands_and_workers_share_the_codec(app: App, tmp_path: Path) -> None:
    """Encryption on by a key file: the command makes the key; workers, `start`, `tasks`
    and `report` all use it; the history holds ciphertext only."""
    keys_file = tmp_path / "payload-keys.toml"
    env = app.process_env(VALUECHAIN_PAYLOAD_KEYS=str(keys_file))
    made = await run_cli("keys", "payload-key", "k1", env=env)
    assert made.code == 0, made
    workflow_id = f"expense-{tmp_path.name[-12:]}"
    async with running_workers(["approvals", "notifications"], env, tmp_path):
        started = await run_cli(
            "start", "expense", "--employee", "alice", "--amount", "310.00",
            "--category", "lodging", "--description", "Hotel two nights",
            "--receipts", "hotel.pdf", "--payee-account", "ACC-7",
            "--workflow-id", workflow_id, env=env,
        )  # fmt: skip
        assert started.code == 0, started
        sealed = await Client.connect(
            app.client.service_client.config.target_host,
            data_converter=encrypting(DATA_CONVERTER, load_payload_keys(keys_file)),
        )
        handle = sealed.get_workflow_handle(workflow_id)
        for step, person in (("manager_review", "maria"), ("finance_approval", "fiona")):
            task = await open_task(handle, step)
            listed = await run_cli("tasks", "list", "--json", env=env)
            assert task.task_id in listed.out, listed
            ok = await run_cli(
                "tasks", "decide", workflow_id, task.task_id, "approve", "--as", person, env=env
            )
            assert ok.code == 0, ok
        result = await handle.result()
        report = await run_cli(
            "report", "--hours", "1", "--where", f'WorkflowId="{workflow_id}"', "--json", env=env
        )
    assert result["status"] == "paid"
    assert report.code == 0, report
    assert "ExpenseReimbursement" in report.out
    raw = (await app.client.get_workflow_handle(workflow_id).fetch_history()).to_json()
    for secret in ("alice", "310.00", "Hotel two nights", "ACC-7"):
        assert secret not in raw, f"{secret!r} is in the history in the clear"


async def task_failures(handle: WorkflowHandle[Any, Any], client: Client) -> list[str]:
    """The messages of the run's failed workflow tasks, decoded with `client`'s keys."""
    messages = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            failure = event.workflow_task_failed_event_attributes.failure
            messages.append(str(await client.data_converter.decode_failure(failure)))
    return messages


async def test_a_worker_without_the_key_waits_for_it_and_the_run_resumes(
    app: App, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A run started under key test-k1; then test-k2 becomes the primary. A worker given
    only test-k2 cannot read the run's input: its workflow task fails naming test-k1, and
    retries, the run still running. Given the key file with both, a worker takes the run
    to its end, its decisions sent under test-k2."""
    target = app.client.service_client.config.target_host
    both = load_payload_keys(HISTORY_KEYS)  # after the rotation: k2 is the primary
    k1 = PayloadKeys(primary="test-k1", keys={"test-k1": both.keys["test-k1"]})
    under_k1 = await Client.connect(target, data_converter=encrypting(DATA_CONVERTER, k1))
    handle = await start_case(under_k1, CASES[0], app.task_queue)

    only_k2 = PayloadKeys(primary="test-k2", keys={"test-k2": both.keys["test-k2"]})
    lacking = await Client.connect(target, data_converter=encrypting(DATA_CONVERTER, only_k2))
    rotated = await Client.connect(target, data_converter=encrypting(DATA_CONVERTER, both))
    ours = rotated.get_workflow_handle(handle.id)
    async with worker(lacking, app.task_queue, app.store):
        failures = await eventually(
            lambda: task_failures(ours, rotated), lambda found: len(found) > 0, "a failed task"
        )
    missing = "payload encrypted with key 'test-k1', which this process does not have"
    assert missing in failures[0]
    assert missing in caplog.text  # the worker's log says it too
    assert (await ours.describe()).status == WorkflowExecutionStatus.RUNNING

    async with worker(rotated, app.task_queue, app.store):
        await decide(ours, "manager_review", "maria", "approve")
        await decide(ours, "finance_approval", "fiona", "approve")
        result = await ours.result()
    assert result["status"] == "paid"
    await record_history(ours, "expense-rotated", ENCRYPTED_HISTORIES)
    keys_used = set()
    async for event in ours.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            [payload] = (
                event.workflow_execution_update_accepted_event_attributes.accepted_request.input.args.payloads
            )
            keys_used.add(payload.metadata[KEY_ID])
    assert keys_used == {b"test-k2"}


async def test_an_order_under_the_codec(app: App) -> None:
    """The order and its stages (child workflows, signed partner events) under the codec:
    paid, and its raw history holds neither the customer's name nor its lines."""
    keys = load_payload_keys(HISTORY_KEYS)
    target = app.client.service_client.config.target_host
    sealed = await Client.connect(target, data_converter=encrypting(DATA_CONVERTER, keys))
    seeded(app.store)
    async with worker(sealed, app.task_queue, app.store):
        h = await start_order(sealed, app.task_queue, order_input(app.task_queue, {"OVEN-9": 1}))
        await deliver(h)
        await pay(h)
        result = await h.result()
        await record_history(h, "o2c", ENCRYPTED_HISTORIES)
    assert result.status == "paid"
    for workflow_id in (h.id, f"{h.id}-credit_check", f"{h.id}-collection"):
        raw = (await app.client.get_workflow_handle(workflow_id).fetch_history()).to_json()
        for secret in ("OVEN-9", "Acme Stores", "front desk", str(result.total)):
            assert secret not in raw, f"{secret!r} is in {workflow_id}'s history in the clear"
