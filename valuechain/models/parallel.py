"""Parallel workflows: multi-approver sign-off, proposal review, product launch."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from valuechain.join import JoinPolicy
from valuechain.models.common import (
    Heading,
    Item,
    Line,
    Login,
    Model,
    RunContext,
    RunInput,
    Text,
    WorkflowInput,
)
from valuechain.models.result import RunResult


class BranchVerdict(Model):
    branch: str
    verdict: Literal["approved", "rejected", "closed"]
    actor: str = ""
    comment: str = ""
    at: datetime | None = None


class JoinResult(Model):
    outcome: Literal["approved", "rejected"]
    policy: str
    # In the order the workflow saw the branches end (those ending together: branch order).
    verdicts: list[BranchVerdict]

    @property
    def closed(self) -> list[str]:
        return [v.branch for v in self.verdicts if v.verdict == "closed"]

    @property
    def failed(self) -> dict[str, str]:
        """Each rejected branch and why."""
        return {v.branch: v.comment for v in self.verdicts if v.verdict == "rejected"}


class SignOffRequest(Model):
    subject: Line
    """what is signed off"""
    requester: Login
    """who asks (a roster name)"""
    approvers: list[Item] = Field(min_length=1, max_length=20)
    """who signs off (roster names; repeat the flag for more)"""
    policy: JoinPolicy = JoinPolicy()
    """how many approvals it takes, and whether one rejection vetoes"""

    @field_validator("approvers")
    @classmethod
    def _distinct(cls, approvers: list[str]) -> list[str]:
        if len(set(approvers)) != len(approvers):
            raise ValueError("an approver is listed twice")
        return approvers

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.policy.needed(len(self.approvers)) > len(self.approvers):
            raise ValueError(
                f"quorum {self.policy.quorum} is more than the {len(self.approvers)} approvers"
            )
        if self.requester in self.approvers:
            raise ValueError("the requester may not sign off their own request")
        return self


class SignOffInput(RunInput[SignOffRequest]):
    """A subject for several approvers to sign off."""

    def heading(self) -> Heading:
        return Heading(f"sign-off of {self.request.subject}", self.request.requester)


class SignOffResult(RunResult):
    status: Literal["approved", "rejected"]
    join: JoinResult


class ProposalRequest(Model):
    title: Line
    """the proposal's title"""
    proposer: Login
    """who proposes (a roster name)"""
    location: Text
    """where the proposal is"""
    departments: list[Item] = Field(
        default=["legal", "finance", "engineering"], min_length=1, max_length=20
    )
    """the reviewing roles (repeat the flag for more)"""
    policy: JoinPolicy = JoinPolicy()
    """how many approvals it takes, and whether one rejection vetoes"""


class ProposalInput(RunInput[ProposalRequest]):
    """A proposal for departments to review at the same time."""

    def heading(self) -> Heading:
        r = self.request
        return Heading(f"proposal '{r.title}' by {r.proposer}", r.proposer)


class ProposalResult(RunResult):
    status: Literal["approved", "rejected"]
    join: JoinResult


class LaunchBranchSpec(Model):
    name: Login
    role: str
    deliverable: str


DEFAULT_BRANCHES = [
    LaunchBranchSpec(name="marketing", role="marketing", deliverable="campaigns"),
    LaunchBranchSpec(name="sales", role="sales", deliverable="sales pitches"),
    LaunchBranchSpec(name="support", role="support", deliverable="support documentation"),
]


class LaunchRequest(Model):
    product: Line
    """what launches"""
    owner: Login
    """who owns the launch (a roster name)"""
    launch_at: datetime
    """when it launches, ISO 8601 with a time zone"""
    branches: list[LaunchBranchSpec] = Field(default=DEFAULT_BRANCHES, min_length=1)
    """what prepares at once, as JSON (default: marketing, sales, support)"""

    @field_validator("launch_at")
    @classmethod
    def _zoned(cls, launch_at: datetime) -> datetime:
        if launch_at.tzinfo is None:
            raise ValueError("launch_at needs a time zone, for example 2026-12-01T09:00:00Z")
        return launch_at


class LaunchInput(RunInput[LaunchRequest]):
    """A product launch: its branches, then the launch date."""

    def heading(self) -> Heading:
        r = self.request
        return Heading(f"launch of {r.product} at {r.launch_at.isoformat()}", r.owner)


class BranchInput(WorkflowInput):
    product: str
    owner: str
    branch: LaunchBranchSpec
    context: RunContext | None = None

    def heading(self) -> Heading:
        return Heading(f"{self.branch.name} for the launch of {self.product}", self.owner)


class BranchResult(RunResult):
    status: Literal["ready"]
    branch: str
    deliverables: list[str]


class LaunchResult(RunResult):
    status: Literal["launched", "not_launched"]
    join: JoinResult
    failed_branches: dict[str, str]  # branch -> why
    launched_at: datetime | None = None
    launch_reference: str | None = None
