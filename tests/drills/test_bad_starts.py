"""Drill: every starter against the same bad inputs: malformed JSON, a missing field, a
wrong type, an over-long string, an unknown enum value, a negative or absurd amount.
Each exits 2 naming the field, and no workflow is created."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from tests.helpers import App, new_id
from tests.helpers.cli import run_cli

pytestmark = pytest.mark.slow

LONG = "x" * 5000

# starter: (a valid request, its enum field, its amount field, a string field to overflow)
STARTERS: dict[str, tuple[dict[str, Any], str | None, str | None, str]] = {
    "expense": ({"employee": "alice", "amount": "10.00", "category": "travel",
                 "description": "Taxi", "receipts": ["r.pdf"], "payee_account": "ACC-1"},
                "category", "amount", "description"),
    "document": ({"title": "T", "author": "ben", "location": "x.pdf"}, None, None, "title"),
    "blog": ({"title": "T", "slug": "t", "writer": "ben", "draft_location": "d.md"},
             None, None, "title"),
    "timeoff": ({"employee": "alice", "first_day": "2027-01-04", "last_day": "2027-01-05"},
                "kind", None, "reason"),
    "purchase": ({"requester": "alice", "item": "Desk", "amount": "900.00",
                  "category": "office", "vendor": "staples"}, "category", "amount", "item"),
    "invoice": ({"invoice_number": "I-1", "vendor": "globex", "amount": "10.00",
                 "submitted_by": "adam"}, None, "amount", "invoice_number"),
    "complaint": ({"customer": "Jo", "subject": "S", "category": "billing"},
                  "category", None, "subject"),
    "compliance": ({"title": "T", "author": "ben", "location": "x"}, None, None, "title"),
    "ticket": ({"customer": "Jo", "subject": "S"}, "severity", None, "subject"),
    "signoff": ({"subject": "S", "requester": "alice", "approvers": ["maria"]},
                None, None, "subject"),
    "proposal": ({"title": "P", "proposer": "ben", "location": "p.pdf"}, None, None, "title"),
    "launch": ({"product": "K", "owner": "alice", "launch_at": "2027-01-01T09:00:00Z"},
               None, None, "product"),
    # The order's id is its workflow id: the mutations leave it alone.
    "order": ({"customer": "C-ACME", "order_id": "X", "due_date": "2027-01-04",
               "lines": [{"sku": "KETTLE-2", "qty": 1}]}, None, None, "customer"),
    "onboarding": ({"employee": "nina", "full_name": "N", "job_title": "Eng",
                    "manager": "maria", "start_date": "2027-01-04"}, None, None, "full_name"),
}  # fmt: skip


def mutations(starter: str) -> list[tuple[str, Any, str]]:
    """(what, the file's content, the text the error must contain)."""
    base, enum, amount, long_field = STARTERS[starter]
    first = next(iter(base))
    out: list[tuple[str, Any, str]] = [
        ("malformed JSON", "{not json", "is not valid JSON"),
        ("missing field", {k: v for k, v in base.items() if k != first}, f"{first}: Field"),
        ("wrong type", {**base, first: {"a": 1}}, f"{first}:"),
        ("over-long string", {**base, long_field: LONG}, f"{long_field}:"),
        ("over-long first field", {**base, first: "a" + LONG}, f"{first}:"),
    ]
    if enum:
        out.append(("unknown enum", {**base, enum: "nonsense"}, f"{enum}: Input should be"))
    if amount:
        out.append(("negative amount", {**base, amount: "-5"}, f"{amount}: Input should be"))
        out.append(("absurd amount", {**base, amount: "1e20"}, f"{amount}:"))
    return out


CASES = [(s, *m) for s in STARTERS for m in mutations(s)]


@pytest.mark.parametrize(("starter", "what", "content", "message"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])  # fmt: skip
async def test_bad_start_is_refused(
    app: App, tmp_path: Path, starter: str, what: str, content: Any, message: str
) -> None:
    workflow_id = new_id("bad")
    if isinstance(content, dict) and starter == "order" and "order_id" in content:
        content = {**content, "order_id": workflow_id}
    file = tmp_path / "request.json"
    file.write_text(content if isinstance(content, str) else json.dumps(content))
    args = ["--input", str(file)]
    if starter != "order":
        args += ["--workflow-id", workflow_id]
    ran = await run_cli("start", starter, *args, env=app.process_env())
    assert ran.code == 2, (what, ran)
    assert message in ran.err, (what, ran.err)
    with pytest.raises(RPCError) as caught:
        await app.client.get_workflow_handle(workflow_id).describe()
    assert caught.value.status == RPCStatusCode.NOT_FOUND
