from __future__ import annotations

from typing import Literal

from pydantic import Field

from valuechain.models.common import Item, Line, Login, Model, RunContext, Text
from valuechain.models.result import RunResult


class DocumentRequest(Model):
    title: Line
    author: Login
    location: Text = Field(description="where the uploaded file is")
    reviewer: Login | None = None
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
