"""Connecting to Temporal: one place that knows the address, namespace and converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.runtime import Runtime

from valuechain.converter import DATA_CONVERTER
from valuechain.settings import Settings


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """A client for the configured server; `runtime` carries a worker's metrics set-up."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.namespace,
        data_converter=DATA_CONVERTER,
        runtime=runtime,
    )


def ui_workflow_url(settings: Settings, workflow_id: str) -> str:
    return (
        f"http://localhost:{settings.ui_port}/namespaces/{settings.namespace}"
        f"/workflows/{workflow_id}"
    )
