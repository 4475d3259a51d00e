"""Every stage of order-to-cash, in the order the process runs them: one module each,
since the sandbox imports a run's module afresh for every run (a stage's run defines its
own class, not its neighbours')."""

from workflows.order_to_cash.collection import Collection, check_payment
from workflows.order_to_cash.credit import CreditCheck
from workflows.order_to_cash.entry import OrderEntry
from workflows.order_to_cash.invoicing import Invoicing
from workflows.order_to_cash.packing import PickPack
from workflows.order_to_cash.planning import ShipmentPlanning
from workflows.order_to_cash.shipping import Shipping, check_delivery
from workflows.order_to_cash.stock import StockCheck

__all__ = [
    "Collection",
    "CreditCheck",
    "Invoicing",
    "OrderEntry",
    "PickPack",
    "ShipmentPlanning",
    "Shipping",
    "StockCheck",
    "check_delivery",
    "check_payment",
]
