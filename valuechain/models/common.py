"""What every workflow run carries from its starter: clocks, retry policy, roster."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    field_validator,
    model_validator,
)
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

from valuechain import errors
from valuechain.validation import describe_validation_error

NAME_PATTERN = r"^[a-z][a-z0-9_.-]*$"

# The field types requests share, each bounded the same way wherever it appears.
Login = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)]  # a roster name
Line = Annotated[str, Field(min_length=1, max_length=200)]  # a title, a subject, a name
Text = Annotated[str, Field(min_length=1, max_length=500)]  # a description, a file's place
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]  # ISO 4217
# An item of a list in a request (a receipt, a stakeholder, a course): never empty or huge.
Item = Line


class Model(BaseModel):
    """Base for every model: unknown fields are an error, never silently dropped."""

    # A field's docstring is its description (what `valuechain start --help` shows).
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class ClockPolicy(Model):
    """How long a human step may wait before it escalates, and how often it reminds."""

    due_after: timedelta = Field(gt=timedelta(0))
    remind_every: timedelta = Field(gt=timedelta(0))


class ActivityPolicy(Model):
    """Timeouts and retries for automated steps (activities)."""

    start_to_close: timedelta = Field(default=timedelta(seconds=30), gt=timedelta(0))
    initial_interval: timedelta = Field(default=timedelta(seconds=1), gt=timedelta(0))
    backoff: float = Field(default=2.0, ge=1.0)
    maximum_interval: timedelta = Field(default=timedelta(seconds=60), gt=timedelta(0))
    maximum_attempts: int = Field(default=10, ge=0)

    def retry_policy(self) -> RetryPolicy:
        """The SDK's retry policy for it; domain errors are never retried."""
        return RetryPolicy(
            initial_interval=self.initial_interval,
            backoff_coefficient=self.backoff,
            maximum_interval=self.maximum_interval,
            maximum_attempts=self.maximum_attempts,
            non_retryable_error_types=errors.NON_RETRYABLE,
        )


class Roster(Model):
    """Who holds which role. Business data handed to each run, so validators can check
    roles without I/O and a run keeps the roster it started with."""

    people: dict[str, list[str]]

    @field_validator("people")
    @classmethod
    def _names(cls, people: dict[str, list[str]]) -> dict[str, list[str]]:
        if not people:
            raise ValueError("the roster names nobody")
        return people

    def holds(self, person: str, role: str) -> bool:
        return role in self.people.get(person, [])

    def holders(self, role: str) -> list[str]:
        return sorted(p for p, roles in self.people.items() if role in roles)


KeyKind = Literal["tasklist", "admin", "partner"]


class Signature(Model):
    """Ed25519 over what it names (workflow, subject, time) and a digest of the message."""

    key_id: Login
    workflow_id: str = Field(min_length=1, max_length=1000)
    # What the message is for: a decision's task id, or a partner event's update name.
    subject: str = Field(min_length=1, max_length=200)
    signed_at: datetime
    value: str = Field(min_length=1, max_length=200)  # base64


class TrustedKey(Model):
    key_id: Login
    # Who holds the private key: "tasklist", an administrator's name, a carrier, a bank.
    holder: str = Field(min_length=1, max_length=120)
    # A task list key signs for the person signed in; an administrator's signs for anyone
    # (recorded as theirs); a partner's signs its own events.
    kind: KeyKind
    public_key: str = Field(min_length=1, max_length=100)  # base64 of the raw 32 bytes


class Trust(Model):
    """The keys a run accepts signatures from, fixed for the run's life."""

    keys: list[TrustedKey] = []
    max_age: timedelta = timedelta(minutes=5)
    # Clocks differ: a signature this far in the future is still accepted.
    max_skew: timedelta = timedelta(seconds=30)

    def key(self, key_id: str) -> TrustedKey | None:
        return next((k for k in self.keys if k.key_id == key_id), None)


# How a run sends its notices (see activities.notifier).
NoticeDelivery = Literal["local", "queue"]
# How a run publishes its stage, waiting roles, tags and summary (workflows.human.publish):
# what changed in a workflow task, once at its end; or every change as it is made.
Publication = Literal["per_task", "each_change"]


class RunContext(Model):
    """Settings and business data a workflow needs, fixed when the run starts."""

    # None: a run with no human step (an order's stage that only books), which the
    # process sends only what it uses (`automated_only`).
    roster: Roster | None
    clocks: ClockPolicy
    activities: ActivityPolicy = ActivityPolicy()
    notifications_queue: str = Field(min_length=1)
    # Runs recorded before `local` existed carry no choice: they sent notices on the
    # queue, and replay the same way.
    notice_delivery: NoticeDelivery = "queue"
    # Runs recorded before `per_task` existed published each change, and replay so;
    # `build_context` gives runs started now `per_task`.
    publication: Publication = "each_change"
    # Whose signatures the run accepts on decisions and partner events.
    trust: Trust = Trust()

    @property
    def people(self) -> Roster:
        """The roster; a run given none has no human step to check a decision against."""
        if self.roster is None:
            raise ApplicationError(
                "this run was started without a roster: it has no human step",
                non_retryable=True,
            )
        return self.roster

    def automated_only(self) -> RunContext:
        """This context for a child with no human step and no signed event: without the
        roster and the trusted keys, most of its bytes, which its history would otherwise
        store again in every such child's start."""
        return self.model_copy(update={"roster": None, "trust": Trust()})


class Loads(Model):
    """What a run started without some of its context asks its worker for, by name:
    the roster, clocks, retry policy and trust come always; these fill input fields."""

    tables: dict[str, str] = {}  # input field -> decision table
    machines: dict[str, str] = {}  # input field -> state machine
    order_settings: str | None = None  # input field for the order-to-cash clocks


@dataclass(frozen=True)
class Heading:
    """What a run is about and for whom, as its record, the Web UI and its notices show
    it; the amount, where it has one, is published as `ValuechainAmount`."""

    subject: str
    requester: str
    amount: Decimal | None = None


Part = TypeVar("Part")


def loaded(part: Part | None) -> Part:
    """A part of the input that `begin` filled in when the starter gave none."""
    if part is None:
        # Reading the input's context before `begin` is a bug in the workflow's code: a
        # workflow task failure, fixed by a new worker, not a failed run.
        raise RuntimeError("a run context part read before begin() loaded it")
    return part


class WorkflowInput(Model):
    """What every workflow run takes. The run context is optional: a run started
    without it (from the `temporal` CLI, the Web UI or a Schedule) has its worker load
    it, and what the worker loaded, recorded in the history, holds for the run's life.

    An input that does not validate fails the run at once (`InvalidInput`, not
    retryable) naming each wrong field, rather than failing its first workflow task for
    ever: pydantic lets the validator's `ApplicationError` through, and the SDK fails
    the workflow on an `ApplicationError` raised while decoding its input."""

    if TYPE_CHECKING:
        # Each input declares it where it reads best: after the request, which is what a
        # person looks for first in the Web UI (a parent's field would come first).
        context: RunContext | None
    # The input fields its worker fills when the starter did not (see `Loads`).
    loads: ClassVar[Loads] = Loads()

    @model_validator(mode="wrap")
    @classmethod
    def _refuse_at_once(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        try:
            return handler(data)
        except ValidationError as err:
            raise ApplicationError(
                describe_validation_error(f"input for {cls.__name__}", err),
                type=errors.INVALID_INPUT,
                non_retryable=True,
            ) from None

    @abstractmethod
    def heading(self) -> Heading:
        """What the run is about, said once for its workflow (an input without one
        cannot be made: the class is abstract)."""

    def missing(self) -> Loads | None:
        """What the worker must load for this run; None when the starter gave it all."""
        wants = Loads(
            tables={f: n for f, n in self.loads.tables.items() if getattr(self, f) is None},
            machines={f: n for f, n in self.loads.machines.items() if getattr(self, f) is None},
            order_settings=(
                self.loads.order_settings
                if self.loads.order_settings and getattr(self, self.loads.order_settings) is None
                else None
            ),
        )
        if self.context is None or wants != Loads():
            return wants
        return None

    def completed(self, context: RunContext, parts: Mapping[str, Any]) -> Self:
        """This input with what the worker loaded where the starter gave nothing."""
        update = {f: v for f, v in parts.items() if getattr(self, f) is None}
        if self.context is None:
            update["context"] = context
        return self.model_copy(update=update)


Request = TypeVar("Request", bound=Model)


class RunInput(WorkflowInput, Generic[Request]):
    """A workflow's input from its starter: the request, and the run context whose
    rules hold for the run's whole life. Each workflow names its own (`ExpenseInput`)."""

    request: Request
    context: RunContext | None = None
