"""Which worker runs which workflow types (the replay test checks them all)."""

from __future__ import annotations

from temporalio import workflow

from workflows.blog import BlogPublishing
from workflows.complaint import ComplaintTriage
from workflows.compliance import ComplianceReview
from workflows.document import DocumentApproval
from workflows.expense import ExpenseReimbursement
from workflows.invoice import InvoiceApproval
from workflows.launch import LaunchBranch, ProductLaunch
from workflows.onboarding import (
    AccessSetup,
    BackgroundCheck,
    EmployeeOnboarding,
    EquipmentProvisioning,
    Training,
)
from workflows.order_stages import (
    Collection,
    CreditCheck,
    Invoicing,
    OrderEntry,
    PickPack,
    ShipmentPlanning,
    Shipping,
    StockCheck,
)
from workflows.order_to_cash import OrderToCash
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
ORDER_WORKFLOWS: list[type] = [
    OrderToCash,
    OrderEntry,
    CreditCheck,
    StockCheck,
    PickPack,
    ShipmentPlanning,
    Shipping,
    Invoicing,
    Collection,
]

ALL_WORKFLOWS: list[type] = [*HUMAN_WORKFLOWS, *ORDER_WORKFLOWS]


def workflow_names() -> list[str]:
    """The names the workflow types are registered under, as histories and lists show."""
    return sorted(workflow._Definition.must_from_class(w).name or "" for w in ALL_WORKFLOWS)
