"""Every stage of order-to-cash, in the order the process runs them."""

from workflows.order_to_cash.billing import Collection, Invoicing, check_payment
from workflows.order_to_cash.entry import CreditCheck, OrderEntry
from workflows.order_to_cash.shipping import PickPack, ShipmentPlanning, Shipping, check_delivery
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
