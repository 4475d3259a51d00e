"""Order-to-cash, all in one place: the process (`process.py`), what it accepts from the
outside world while it runs (`events.py`), and its stages (`entry.py`, `stock.py`,
`shipping.py`, `billing.py`, on the base in `stage.py`); their activities are in
`activities/order_to_cash.py`, their models in `valuechain/models/orders/`."""

from workflows.order_to_cash import stages
from workflows.order_to_cash.process import OrderCancelled, OrderToCash

# The process and every stage: the workflow types one worker runs together (a stage runs
# on its process's task queue).
WORKFLOWS: list[type] = [
    OrderToCash,
    stages.OrderEntry,
    stages.CreditCheck,
    stages.StockCheck,
    stages.PickPack,
    stages.ShipmentPlanning,
    stages.Shipping,
    stages.Invoicing,
    stages.Collection,
]

__all__ = ["WORKFLOWS", "OrderCancelled", "OrderToCash"]
