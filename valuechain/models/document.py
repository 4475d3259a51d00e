from __future__ import annotations

from typing import Literal

from pydantic import Field

from valuechain.models.common import NAME_PATTERN, Item, Model, RunContext
from valuechain.models.result import RunResult


class DocumentRequest(Model):
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(pattern=NAME_PATTERN, max_length=64)
    location: str = Field(min_length=1, max_length=500, description="where the uploaded file is")
    reviewer: str | None = Field(default=None, pattern=NAME_PATTERN, max_length=64)
    stakeholders: list[Item] = Field(default=[], max_length=50)
    max_revisions: int = Field(default=3, ge=0, le=20)


class DocumentInput(Model):
    request: DocumentRequest
    context: RunContext


class DocumentResult(RunResult):
    status: Literal["approved", "rejected"]
    version: int
    location: str
    archive_reference: str | None = None
