"""The join rule of every parallel shape: how the verdicts of parallel branches (people
deciding, child workflows finishing) combine, and when the outcome is certain.

  all     every branch must succeed
  quorum  `quorum` of the branches must succeed
  veto    one failure decides at once (with `all` a failure is final anyway)

Pure and deterministic, so workflows evaluate it after every verdict and stop waiting
the moment no pending branch can change the outcome.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from valuechain.models.common import Model

Outcome = Literal["approved", "rejected", "pending"]


class JoinPolicy(Model):
    mode: Literal["all", "quorum"] = "all"
    """all must approve, or a quorum"""
    quorum: int | None = Field(default=None, ge=1)
    """how many must approve (mode quorum)"""
    veto: bool = False
    """one rejection rejects it"""

    @model_validator(mode="after")
    def _quorum(self) -> Self:
        if self.mode == "quorum" and self.quorum is None:
            raise ValueError("a quorum policy needs quorum (how many must approve)")
        if self.mode == "all" and self.quorum is not None:
            raise ValueError("quorum is only for mode 'quorum'")
        return self

    def needed(self, branches: int) -> int:
        return branches if self.mode == "all" else int(self.quorum or 0)

    def describe(self, branches: int) -> str:
        rule = "all" if self.mode == "all" else f"{self.quorum} of {branches}"
        return f"{rule} must approve" + ("; one rejection vetoes" if self.veto else "")

    def outcome(self, branches: int, approved: int, rejected: int) -> Outcome:
        pending = branches - approved - rejected
        if self.veto and rejected:
            return "rejected"
        if approved >= self.needed(branches):
            return "approved"
        if approved + pending < self.needed(branches):
            return "rejected"  # not enough left who could still approve
        return "pending"
