from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from valuechain.models.common import Heading, Line, Login, Model, RunInput, Text
from valuechain.models.result import RunResult


class BlogRequest(Model):
    title: Line
    """the post's title"""
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100)
    """its address, lowercase words joined by hyphens"""
    writer: Login
    """who wrote it (a roster name)"""
    draft_location: Text
    """where the draft is"""
    max_send_backs: int = Field(default=3, ge=0, le=20)
    """how often the editor may send it back"""


class BlogInput(RunInput[BlogRequest]):
    """A blog draft to take through review, images, scheduling and publication."""

    def heading(self) -> Heading:
        return Heading(
            f"blog post '{self.request.title}' by {self.request.writer}", self.request.writer
        )


class BlogResult(RunResult):
    status: Literal["published", "rejected"]
    images: list[str] = []
    scheduled_for: datetime | None = None
    published_at: datetime | None = None
    publication_reference: str | None = None
