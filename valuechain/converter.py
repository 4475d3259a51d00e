"""The one data converter used by every client, worker, test environment and replayer:
pydantic's, with the payload codec on top when payloads are encrypted."""

from __future__ import annotations

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from valuechain.codec import encrypting, load_payload_keys

DATA_CONVERTER = pydantic_data_converter


def converter_for(payload_keys: str) -> DataConverter:
    """The converter for a payload key file (see `Settings.payload_keys_path`); plain
    when there is none. A bad key file raises `CodecError` naming it."""
    if not payload_keys:
        return DATA_CONVERTER
    return encrypting(DATA_CONVERTER, load_payload_keys(payload_keys))


__all__ = ["DATA_CONVERTER", "converter_for"]
