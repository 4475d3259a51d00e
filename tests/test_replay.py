"""Recorded histories still replay: a change to workflow code that would break running
workflows fails here, for plain histories and for encrypted ones (runs under the codec,
replayed with the keys they were written with; without them, replay names the missing
key). The tests that call `record_history` write them when run with
VALUECHAIN_RECORD_HISTORIES=1; re-record only when such a break is intended (and
versioned)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.workflow import NondeterminismError

# This module defines a workflow (below), so the sandbox imports it again: what it uses
# besides the workflow comes through as it is, as in the project's workflows.
with workflow.unsafe.imports_passed_through():
    from tests.helpers.history import ERAS, HISTORY_KEYS, recorded_history, replayer
    from valuechain.codec import encrypting, load_payload_keys
    from valuechain.converter import DATA_CONVERTER
    from valuechain.models.expense import ExpenseInput, ExpenseResult
    from valuechain.models.human import DecisionInput, HumanStepSpec
    from workers.registry import ALL_WORKFLOWS

from workflows.expense import ExpenseReimbursement

HISTORIES = sorted(path for era in ERAS for path in era.glob("*.json"))
ENCRYPTED = sorted(path for era in ERAS for path in (era / "encrypted").glob("*.json"))


@pytest.mark.parametrize("era", ERAS, ids=lambda p: p.name)
def test_every_workflow_type_has_a_recorded_history(era: Path) -> None:
    recorded = set()
    for path in era.glob("*.json"):
        first = json.loads(path.read_text())["events"][0]
        recorded.add(first["workflowExecutionStartedEventAttributes"]["workflowType"]["name"])
    assert len(recorded) == len(ALL_WORKFLOWS) == 27
    assert recorded == {
        "ExpenseReimbursement", "DocumentApproval", "BlogPublishing", "TimeOffRequest",
        "PurchaseApproval", "InvoiceApproval", "ComplaintTriage",
        "ComplianceReview", "SupportTicket",
        "MultiApproverSignOff", "ProposalReview", "ProductLaunch", "LaunchBranch",
        "OrderToCash", "OrderEntry", "CreditCheck", "StockCheck", "PickPack",
        "ShipmentPlanning", "Shipping", "Invoicing", "Collection",
        "EmployeeOnboarding", "BackgroundCheck", "EquipmentProvisioning", "AccessSetup",
        "Training",
    }  # fmt: skip


def test_the_readmes_recording_command_runs_every_test_that_records() -> None:
    """Re-recording an era with the README's command must write every history: a test
    module that records and is not in it would leave its runs' histories behind."""
    tests = Path(__file__).resolve().parent
    readme = (tests.parent / "README.md").read_text()
    command = readme[readme.index("VALUECHAIN_RECORD_HISTORIES=1 .venv/bin/pytest") :]
    named = set(re.findall(r"tests/(test_\w+\.py)", command[: command.index("```")]))
    recording = {
        p.name
        for p in tests.glob("test_*.py")
        if p.name != Path(__file__).name and "await record_history(" in p.read_text()
    }
    assert named == recording


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: f"{p.parent.name}/{p.stem.split('@')[0]}")
async def test_history_replays(path: Path) -> None:
    replaying = replayer()
    await replaying.replay_workflow(recorded_history(path))


@pytest.mark.parametrize(
    "path", ENCRYPTED, ids=lambda p: f"{p.parents[1].name}/{p.stem.split('@')[0]}"
)
async def test_encrypted_history_replays_with_its_keys(path: Path) -> None:
    sealed = encrypting(DATA_CONVERTER, load_payload_keys(HISTORY_KEYS))
    replaying = replayer(sealed)
    await replaying.replay_workflow(recorded_history(path))


async def test_an_encrypted_history_without_its_key_names_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert len(ENCRYPTED) >= 3  # an expense, one across a key rotation, an order
    replaying = replayer()
    result = await replaying.replay_workflow(
        recorded_history(ENCRYPTED[0]), raise_on_replay_failure=False
    )
    assert result.replay_failure is not None  # ciphertext is not a request
    keys = load_payload_keys(HISTORY_KEYS)
    only_k1 = keys.model_copy(
        update={"primary": "test-k1", "keys": {"test-k1": keys.keys["test-k1"]}}
    )
    rotated = next(p for p in ENCRYPTED if p.stem.startswith("expense-rotated@"))
    lacking = replayer(encrypting(DATA_CONVERTER, only_k1))
    result = await lacking.replay_workflow(recorded_history(rotated), raise_on_replay_failure=False)
    assert result.replay_failure is not None
    # The failure itself is encoded (its message is business data); the log names the key.
    assert "payload encrypted with key 'test-k2'" in caplog.text


@workflow.defn(name="ExpenseReimbursement")
class FinanceSkippingExpense(ExpenseReimbursement):
    """The expense workflow with its finance step dropped: a change that breaks runs
    already past manager review, which replay must catch."""

    @workflow.run
    async def run(self, input: ExpenseInput) -> ExpenseResult:
        return await super().run(input)

    async def human_step(self, spec: HumanStepSpec) -> DecisionInput:
        if spec.step == "finance_approval":
            return DecisionInput(task_id="skipped", actor="system", decision="approve")
        return await super().human_step(spec)


async def test_replay_catches_an_incompatible_change() -> None:
    replaying = replayer(workflows=[FinanceSkippingExpense])
    expense = next(p for p in HISTORIES if p.stem.startswith("expense@"))
    result = await replaying.replay_workflow(
        recorded_history(expense), raise_on_replay_failure=False
    )
    assert isinstance(result.replay_failure, NondeterminismError)
