"""State-machine workflows: compliance review and support ticket."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from valuechain.machines import StateMachine
from valuechain.models.common import Heading, Line, Loads, Login, Model, RunInput, Text
from valuechain.models.records import BookingInput
from valuechain.models.result import RunResult
from valuechain.models.rules_driven import ComplaintCategory, Severity
from valuechain.rules import DecisionTable, TableDecision


class TransitionRecord(Model):
    source: str
    decision: str
    target: str
    actor: str
    at: datetime
    comment: str = ""
    attachments: list[str] = []


class ComplianceRequest(Model):
    title: Line
    """the document's title"""
    author: Login
    """who wrote it (a roster name)"""
    location: Text
    """where the document is"""
    max_revisions: int = Field(default=2, ge=0, le=20)
    """how many revision rounds before it must be decided"""


class ComplianceInput(RunInput[ComplianceRequest]):
    machine: StateMachine | None = None
    loads: ClassVar[Loads] = Loads(machines={"machine": "compliance_review"})

    def heading(self) -> Heading:
        r = self.request
        return Heading(f"compliance review of '{r.title}' by {r.author}", r.author)


class Revision(Model):
    round: int
    requested_by: str
    feedback: str
    requested_at: datetime
    resubmitted_at: datetime | None = None
    location: str | None = None


class ComplianceResult(RunResult):
    status: Literal["approved", "rejected"]
    location: str
    transitions: list[TransitionRecord]
    revisions: list[Revision]


class TicketRequest(Model):
    customer: str = Field(min_length=1, max_length=100)
    """who raised it (a name or an address)"""
    subject: Line
    """in a line"""
    description: str = Field(default="", max_length=5000)
    """the details"""
    category: ComplaintCategory | None = None
    """what it is about (left out: categorised from its text)"""
    severity: Severity = "medium"
    """how bad it is"""


class TicketInput(RunInput[TicketRequest]):
    machine: StateMachine | None = None
    triage: DecisionTable | None = None
    loads: ClassVar[Loads] = Loads(
        machines={"machine": "support_ticket"}, tables={"triage": "complaint_triage"}
    )

    def heading(self) -> Heading:
        r = self.request
        return Heading(f"ticket '{r.subject}' from {r.customer}", r.customer)


class TicketResult(RunResult):
    status: Literal["closed"]
    category: str
    categorised_automatically: bool
    priority: str
    agent: str
    route: TableDecision
    escalated_immediately: bool
    transitions: list[TransitionRecord]
    survey_sent: bool


class CategoriseInput(Model):
    subject: str
    description: str


class CategoriseOutput(Model):
    category: ComplaintCategory
    matched: list[str]  # the words that decided it


class AssignInput(BookingInput):
    agents: list[str] = Field(min_length=1)


class AssignOutput(Model):
    agent: str
    reference: str
