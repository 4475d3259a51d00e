"""Every workflow type the approvals worker runs (and the replay test checks)."""

from __future__ import annotations

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
    OrderToCash,
    OrderEntry,
    CreditCheck,
    StockCheck,
    PickPack,
    ShipmentPlanning,
    Shipping,
    Invoicing,
    Collection,
    EmployeeOnboarding,
    BackgroundCheck,
    EquipmentProvisioning,
    AccessSetup,
    Training,
]
