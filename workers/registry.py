"""Which worker service runs which workflow types and activities (the replay test checks
every workflow type listed here)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from temporalio.worker import UnsandboxedWorkflowRunner, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.bookings import BookingActivities
from activities.mail import Directory, MailServer
from activities.notifier import NotifierActivities
from activities.onboarding import OnboardingActivities
from activities.order_to_cash import OrderActivities
from activities.setup import SetupActivities
from activities.support import SupportActivities
from valuechain.environment import PREFIX
from valuechain.records.store import SystemOfRecord
from valuechain.runcontext import load_roster
from valuechain.settings import Settings
from workflows import PASSED_THROUGH
from workflows.blog import BlogPublishing
from workflows.complaint import ComplaintTriage
from workflows.compliance import ComplianceReview
from workflows.document import DocumentApproval
from workflows.expense import ExpenseReimbursement
from workflows.interceptor import OneInput
from workflows.invoice import InvoiceApproval
from workflows.launch.branch import LaunchBranch
from workflows.launch.process import ProductLaunch
from workflows.onboarding.access import AccessSetup
from workflows.onboarding.background import BackgroundCheck
from workflows.onboarding.equipment import EquipmentProvisioning
from workflows.onboarding.process import EmployeeOnboarding
from workflows.onboarding.training import Training
from workflows.order_to_cash.process import WORKFLOWS as ORDER_TO_CASH
from workflows.proposal import ProposalReview
from workflows.purchase import PurchaseApproval
from workflows.signoff import MultiApproverSignOff
from workflows.ticket import SupportTicket
from workflows.timeoff import TimeOffRequestWorkflow

# The approvals worker: every workflow people take part in.
HUMAN_WORKFLOWS: list[type] = [
    ExpenseReimbursement,
    DocumentApproval,
    BlogPublishing,
    TimeOffRequestWorkflow,
    PurchaseApproval,
    InvoiceApproval,
    ComplaintTriage,
    ComplianceReview,
    SupportTicket,
    MultiApproverSignOff,
    ProposalReview,
    ProductLaunch,
    LaunchBranch,
    EmployeeOnboarding,
    BackgroundCheck,
    EquipmentProvisioning,
    AccessSetup,
    Training,
]

# The orders worker: order-to-cash and its stages (children run on their parent's queue).
ORDER_WORKFLOWS: list[type] = ORDER_TO_CASH

ALL_WORKFLOWS: list[type] = [*HUMAN_WORKFLOWS, *ORDER_WORKFLOWS]

# On every worker that runs workflows (and the tests' and the benchmark's).
WORKFLOW_INTERCEPTORS = [OneInput()]
# The sandbox, with the workflows' shared mechanisms imported once: the tests' workers and
# the replayers always, the worker services unless `workflow_sandbox` is off.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH)
)


def workflow_runner(sandbox: bool) -> WorkflowRunner:
    """The sandbox checks a workflow at every run (a clock, a file, a random number is
    refused); the tests run every workflow in it, so a worker may do without it."""
    return WORKFLOW_RUNNER if sandbox else UnsandboxedWorkflowRunner()


# The one workflow type registered under a name other than its class's; recorded
# histories carry that name, so it stays (a test checks every name against the SDK's).
RENAMED: dict[type, str] = {TimeOffRequestWorkflow: "TimeOffRequest"}


def type_name(workflow_class: type) -> str:
    """The name a workflow type is registered under, as histories and lists show it."""
    return RENAMED.get(workflow_class, workflow_class.__name__)


def workflow_names() -> list[str]:
    return sorted(type_name(w) for w in ALL_WORKFLOWS)


# The worker services by name (`valuechain worker <name>`); a test checks it against SERVICES.
WorkerName = Literal["approvals", "orders", "notifications"]


@dataclass(frozen=True)
class Service:
    """A worker service: the setting naming its task queue, its workflows and
    activities, the activities built on the system of record they book in (and the
    settings)."""

    name: str
    queue_setting: str  # a field of Settings
    workflows: Sequence[type]
    activities: Callable[[SystemOfRecord, Settings], Sequence[Callable[..., Any]]]
    mails: bool = False  # runs the mailer: mails the outbox's notices (a mail server set)

    def queue(self, settings: Settings) -> str:
        return str(getattr(settings, self.queue_setting))

    def queue_refusal(self, settings: Settings) -> str | None:
        """Why this service must not poll its queue: a service that runs no workflow, on
        a queue that one running workflows polls, would be handed their tasks and
        bookings, which it does not run (each failing, or waiting for a worker that has
        it)."""
        if self.workflows:
            return None
        queue = self.queue(settings)
        shared = [s.name for s in SERVICES.values() if s.workflows and s.queue(settings) == queue]
        if not shared:
            return None
        return (
            f"{PREFIX}{self.queue_setting.upper()}: {queue!r} is also the {' and '.join(shared)}"
            f" queue; the {self.name} worker needs a queue of its own"
        )


def notifier(store: SystemOfRecord, settings: Settings) -> NotifierActivities:
    directory = Directory(settings.users_path, load_roster(settings.roster_file))
    return NotifierActivities(
        store, MailServer.from_settings(settings), directory, settings.tasklist_address
    )


SERVICES: dict[str, Service] = {
    s.name: s
    for s in [
        Service(
            "approvals",
            "approvals_queue",
            HUMAN_WORKFLOWS,
            lambda store, settings: [
                *SetupActivities(settings).all(),
                *BookingActivities(store).all(),
                *SupportActivities(store).all(),
                *OnboardingActivities(store).all(),
                notifier(store, settings).record_notice,  # the runs' notices, locally
            ],
        ),
        Service(
            "orders",
            "orders_queue",
            ORDER_WORKFLOWS,
            lambda store, settings: [
                *SetupActivities(settings).all(),
                *OrderActivities(store).all(),
                notifier(store, settings).record_notice,
            ],
        ),
        # The mailer, and the notifier activity of the runs that send notices on the
        # queue (the log, the outbox, and email when a server is set).
        Service(
            "notifications",
            "notifications_queue",
            [],
            lambda store, settings: [notifier(store, settings).notify],
            mails=True,
        ),
    ]
}
