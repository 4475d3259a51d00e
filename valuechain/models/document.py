from __future__ import annotations

from typing import Literal

from pydantic import Field

from valuechain.models.common import Heading, Item, Line, Login, Model, RunInput, Text
from valuechain.models.result import RunResult


class DocumentRequest(Model):
    title: Line
    """the document's title"""
    author: Login
    """who wrote it (a roster name)"""
    location: Text = Field(description="where the uploaded file is")
    reviewer: Login | None = None
    """who reviews it (default: anyone with the reviewer role)"""
    stakeholders: list[Item] = Field(default=[], max_length=50)
    """told when it is approved (repeat the flag for more)"""
    max_revisions: int = Field(default=3, ge=0, le=20)
    """how many rounds of changes the reviewer may ask for"""


class DocumentInput(RunInput[DocumentRequest]):
    """A document to take through review and approval."""

    def heading(self) -> Heading:
        return Heading(
            f"document '{self.request.title}' by {self.request.author}", self.request.author
        )


class DocumentResult(RunResult):
    status: Literal["approved", "rejected"]
    version: int
    location: str
    archive_reference: str | None = None
