"""Make a Temporal server ready for Valuechain: the namespace and the search attributes
of `valuechain/search.py`, the one list there is. A real server creates neither by
itself. Idempotent: what exists is kept; an attribute that exists with another type is an
error naming it.

`make cluster` calls `prepare`; docker-compose.yml runs it as a one-shot step in both
profiles:  python -m valuechain.cluster.setup [--retention-days N] [--wait SECONDS]
(connection from Temporal's own settings: TEMPORAL_ADDRESS, TEMPORAL_TLS_*, ...)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from google.protobuf.duration_pb2 import Duration
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import (
    AddSearchAttributesRequest,
    ListSearchAttributesRequest,
)
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, RegisterNamespaceRequest
from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode

from valuechain import search
from valuechain.client import ConnectError, connect
from valuechain.process import run_command, settings_or_exit
from valuechain.settings import Settings


class SetupError(RuntimeError):
    pass


async def ensure_namespace(client: Client, namespace: str, retention: timedelta) -> bool:
    """Register `namespace` unless it exists; True when it was registered."""
    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace)
        )
        return False
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
    period = Duration()
    period.FromTimedelta(retention)
    try:
        await client.workflow_service.register_namespace(
            RegisterNamespaceRequest(
                namespace=namespace, workflow_execution_retention_period=period
            )
        )
    except RPCError as err:
        if err.status != RPCStatusCode.ALREADY_EXISTS:  # another set-up got there first
            raise
    return True


async def ensure_search_attributes(
    client: Client, namespace: str, keys: Sequence[SearchAttributeKey[Any]] = search.ALL
) -> list[str]:
    """Add the attributes that are missing; return their names."""
    have = (
        await client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace=namespace)
        )
    ).custom_attributes
    wrong = [
        f"{k.name} is {IndexedValueType.Name(have[k.name])}, not"
        f" {IndexedValueType.Name(IndexedValueType.ValueType(k.indexed_value_type))}"
        for k in keys
        if k.name in have and have[k.name] != int(k.indexed_value_type)
    ]
    if wrong:
        raise SetupError("search attribute registered with another type: " + "; ".join(wrong))
    missing = {k.name: int(k.indexed_value_type) for k in keys if k.name not in have}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)  # type: ignore[arg-type]
        )
    return sorted(missing)


async def prepare(
    settings: Settings,
    retention: timedelta = timedelta(days=7),
    wait: timedelta = timedelta(seconds=120),
    say: Callable[[str], None] = print,
) -> None:
    """Wait for the server to answer, then the namespace and the search attributes; return
    once the namespace is usable with them (a new namespace takes a few seconds to reach
    every frontend)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait.total_seconds()
    while True:
        try:
            client = await connect(settings)
            break
        except ConnectError as err:
            if loop.time() > deadline:
                raise SetupError(f"{err} (after {wait.total_seconds():.0f}s)") from err
            await asyncio.sleep(1)  # the server is still starting: nothing to await but time
    namespace = settings.namespace
    while True:
        try:
            if await ensure_namespace(client, namespace, retention):
                say(f"registered namespace {namespace} (retention {retention.days} days)")
            added = await ensure_search_attributes(client, namespace)
            if added:
                say(f"registered search attributes {', '.join(added)} in {namespace}")
            # Usable once a list by an attribute is accepted.
            await client.count_workflows(f'{search.STAGE.name} = "-"')
            return
        except RPCError as err:
            # NOT_FOUND / INVALID_ARGUMENT while the new namespace or attributes propagate,
            # UNAVAILABLE while services join.
            retriable = (
                RPCStatusCode.NOT_FOUND,
                RPCStatusCode.INVALID_ARGUMENT,
                RPCStatusCode.UNAVAILABLE,
                RPCStatusCode.DEADLINE_EXCEEDED,
                RPCStatusCode.INTERNAL,
            )
            if err.status not in retriable or loop.time() > deadline:
                raise SetupError(f"setting up namespace {namespace}: {err}") from err
            await asyncio.sleep(1)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description="Register the namespace and search attributes Valuechain needs."
    )
    p.add_argument("--retention-days", type=int, default=7, help="history retention (default 7)")
    p.add_argument("--wait", type=float, default=120, help="seconds to wait for the server")
    args = p.parse_args(argv)
    if not 1 <= args.retention_days <= 3650:
        print("error: --retention-days must be from 1 to 3650", file=sys.stderr)
        return 2
    settings = settings_or_exit()
    try:
        asyncio.run(
            prepare(settings, timedelta(days=args.retention_days), timedelta(seconds=args.wait))
        )
    except SetupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"namespace {settings.namespace} ready at {settings.temporal_address}")
    return 0


if __name__ == "__main__":
    run_command(main)
