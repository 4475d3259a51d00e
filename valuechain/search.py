"""Search attributes: what the Web UI and `temporal workflow list --query` filter on.

They must be registered with the server before a workflow sets them: `make run` and the
tests pass `ALL` to the dev server they start, docker-compose.yml registers them with
`temporal operator search-attribute create`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from temporalio.common import SearchAttributeKey, SearchAttributeUpdate

STAGE = SearchAttributeKey.for_keyword("ValuechainStage")  # current state, step or stage
# The roles a run's open tasks wait on, and "person:<digest of the name>" for a task
# assigned to someone by name: what waits on a person is one list call on their roles and
# that digest.
WAITING_ROLE = SearchAttributeKey.for_keyword_list("ValuechainWaitingRole")  # [] when none
AMOUNT = SearchAttributeKey.for_float("ValuechainAmount")  # the request's or order's amount

ORDER_ID = SearchAttributeKey.for_keyword("OrderId")  # the order and all its stages
CUSTOMER_ID = SearchAttributeKey.for_keyword("CustomerId")
ORDER_TOTAL = SearchAttributeKey.for_float("OrderTotal")  # = ValuechainAmount, on orders


def order_tags(order_id: str, customer: str) -> list[SearchAttributeUpdate[Any]]:
    """What lists an order with all its stages: its id and its customer."""
    return [ORDER_ID.value_set(order_id), CUSTOMER_ID.value_set(customer)]


def person(name: str) -> str:
    """How a person assigned by name appears in `WAITING_ROLE`: a digest of the name, not
    the name (search attributes are never encrypted, and hold nothing personal)."""
    return f"person:{hashlib.sha256(name.encode()).hexdigest()[:16]}"


def waiting_on(roles: list[str], name: str | None = None) -> str:
    """The list filter for runs waiting on any of `roles` or on `name` by name."""
    values = [*roles, *([person(name)] if name else [])]
    quoted = ", ".join(f'"{v}"' for v in values)
    return f"{WAITING_ROLE.name} IN ({quoted})"


ALL: list[SearchAttributeKey[Any]] = [
    STAGE,
    WAITING_ROLE,
    AMOUNT,
    ORDER_ID,
    CUSTOMER_ID,
    ORDER_TOTAL,
]
