"""Bad input to `valuechain start` (a flag, an input file, a setting, a rules or machine
file): the field and the problem named, exit 2, and no workflow started."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.service import RPCError, RPCStatusCode

from tests.helpers import App, new_id
from tests.helpers.cli import run_cli

GOOD_EXPENSE = [
    "--employee", "alice", "--amount", "42.10", "--category", "meals",
    "--description", "Team lunch", "--receipts", "lunch.pdf", "--payee-account", "ACC-1",
]  # fmt: skip
GOOD_PURCHASE = ["--requester", "alice", "--item", "Desk", "--amount", "900.00",
                 "--category", "office", "--vendor", "staples"]  # fmt: skip
TABLES = Path(__file__).resolve().parents[1] / "valuechain" / "tables"
MACHINES = Path(__file__).resolve().parents[1] / "valuechain" / "machines"


def expense_with(flag: str, value: str) -> list[str]:
    """The good expense with one flag's value replaced (a flag is given once)."""
    at = GOOD_EXPENSE.index(flag) if flag in GOOD_EXPENSE else None
    if at is None:
        return [*GOOD_EXPENSE, flag, value]
    return [*GOOD_EXPENSE[: at + 1], value, *GOOD_EXPENSE[at + 2 :]]


async def assert_not_started(app: App, workflow_id: str) -> None:
    with pytest.raises(RPCError) as caught:
        await app.client.get_workflow_handle(workflow_id).describe()
    assert caught.value.status == RPCStatusCode.NOT_FOUND


async def assert_refused(
    app: App, kind: str, args: list[str], message: str, **settings: str
) -> None:
    """`valuechain start <kind>` (with `settings` in its environment) exits 2 naming the
    problem, and the workflow it names does not exist."""
    workflow_id = new_id("bad")
    ran = await run_cli("start", kind, *args, "--workflow-id", workflow_id,
                        env=app.process_env(**settings))  # fmt: skip
    assert ran.code == 2, ran
    assert message in ran.err
    await assert_not_started(app, workflow_id)


def bad_file(tmp_path: Path, content: str) -> str:
    path = tmp_path / "request.json"
    path.write_text(content)
    return str(path)


@pytest.mark.parametrize(
    ("kind", "args", "message"),
    [
        ("expense", expense_with("--amount", "-5"), "amount: Input should be greater"),
        ("expense", expense_with("--amount", "ten"), "amount: Input should be a valid"),
        ("expense", expense_with("--category", "golf"), "category: Input should be"),
        ("expense", GOOD_EXPENSE[2:], "employee: Field required"),
        ("expense", expense_with("--currency", "usd"), "currency: String should"),
        (
            "document",
            ["--author", "alice", "--location", "x.pdf"],
            "title: Field required",
        ),
        (
            "blog",
            ["--title", "T", "--slug", "Not A Slug", "--writer", "ben", "--draft-location", "d.md"],
            "slug: String should match pattern",
        ),
        (
            "timeoff",
            ["--employee", "alice", "--first-day", "2026-12-10", "--last-day", "2026-12-01"],
            "last_day is before first_day",
        ),
        (
            "timeoff",
            ["--employee", "alice", "--first-day", "2026-13-01", "--last-day", "2026-12-01"],
            "first_day: Input should be a valid date",
        ),
        ("purchase", ["--requester", "alice", "--item", "Desk", "--amount", "0",
                               "--category", "office", "--vendor", "v"],
         "amount: Input should be greater than 0"),
        ("invoice", ["--invoice-number", "I-1", "--vendor", "Globex Inc",
                              "--amount", "10", "--submitted-by", "adam"], "vendor: String should"),
        ("complaint", ["--customer", "Jo", "--subject", "x", "--category", "noise"],
         "category: Input should be 'safety'"),
        ("compliance", ["--title", "T", "--author", "ben", "--location", "x",
                                 "--max-revisions", "-1"], "max_revisions: Input should be"),
        ("ticket", ["--customer", "Jo", "--subject", "x", "--severity", "urgent"],
         "severity: Input should be 'low'"),
        ("signoff", ["--subject", "S", "--requester", "alice", "--approvers", "maria",
                              "--policy.mode", "quorum", "--policy.quorum", "2"],
         "quorum 2 is more than the 1 approvers"),
        ("proposal", ["--title", "P", "--proposer", "ben", "--location", "p.pdf",
                               "--policy.mode", "quorum"], "a quorum policy needs quorum"),
        ("launch", ["--product", "K", "--owner", "alice",
                             "--launch-at", "2027-01-01T09:00:00"], "launch_at needs a time zone"),
    ],
)  # fmt: skip
async def test_starter_refuses_bad_input(
    app: App, kind: str, args: list[str], message: str
) -> None:
    await assert_refused(app, kind, args, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"employee": "alice", "bonus": 1}', "bonus: Extra inputs are not permitted"),
    ],
)
async def test_starter_refuses_bad_input_file(
    app: App, tmp_path: Path, content: str, message: str
) -> None:
    await assert_refused(app, "expense", ["--input", bad_file(tmp_path, content)], message)


async def test_starter_refuses_bad_setting(app: App) -> None:
    message = "VALUECHAIN_HUMAN_DUE_SECONDS='soon': Input should be a valid number"
    await assert_refused(app, "expense", GOOD_EXPENSE, message, VALUECHAIN_HUMAN_DUE_SECONDS="soon")


async def test_broken_rules_file_starts_nothing(app: App, tmp_path: Path) -> None:
    text = (TABLES / "purchase_approval.toml").read_text()
    (tmp_path / "purchase_approval.toml").write_text(text.replace("lt = 5000.00", 'lt = "5k"'))
    message = "rule 'manager': when.amount.lt: Input should be a valid decimal"
    await assert_refused(app, "purchase", GOOD_PURCHASE, message,
                         VALUECHAIN_TABLES_DIR=str(tmp_path))  # fmt: skip


async def test_broken_machine_file_starts_nothing(app: App, tmp_path: Path) -> None:
    text = (MACHINES / "compliance_review.toml").read_text()
    (tmp_path / "compliance_review.toml").write_text(
        text.replace('target = "pending_review"', 'target = "pending"')
    )
    args = ["--title", "T", "--author", "ben", "--location", "x"]
    await assert_refused(app, "compliance", args, "unknown state 'pending'",
                         VALUECHAIN_MACHINES_DIR=str(tmp_path))  # fmt: skip
