"""The one data converter used by every client, worker, test environment and replayer."""

from temporalio.contrib.pydantic import pydantic_data_converter

DATA_CONVERTER = pydantic_data_converter

__all__ = ["DATA_CONVERTER"]
