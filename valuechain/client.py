"""Connecting to Temporal: one place that knows the connection settings and converter."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.runtime import Runtime

from valuechain.codec import CodecError
from valuechain.converter import converter_for
from valuechain.settings import Settings


class ConnectError(RuntimeError):
    """Temporal could not be reached, or refused the connection; the message says where,
    and for TLS what is wrong with the client's certificate when that can be told."""


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """A client for the configured server; `runtime` carries a worker's metrics set-up."""
    temporal = settings.temporal
    try:
        converter = converter_for(settings.payload_keys_path)
    except CodecError as err:
        raise ConnectError(str(err)) from err
    try:
        return await Client.connect(
            temporal.address,
            data_converter=converter,
            runtime=runtime,
            **temporal.connect_args(),
        )
    except RuntimeError as err:
        raise ConnectError(
            f"cannot reach Temporal at {temporal.address}"
            f"{' over TLS' if temporal.secure else ''}: {err}{temporal.refusal_hint()}"
        ) from err


def ui_workflow_url(settings: Settings, workflow_id: str) -> str:
    return f"{_ui_namespace(settings)}/workflows/{workflow_id}"


def ui_schedule_url(settings: Settings, schedule_id: str) -> str:
    return f"{_ui_namespace(settings)}/schedules/{schedule_id}"


def _ui_namespace(settings: Settings) -> str:
    return f"http://localhost:{settings.ui_port}/namespaces/{settings.namespace}"
