"""What a worker loads for a run started without (some of) its context: the same
settings and files a starter would have put into the input."""

from __future__ import annotations

from typing import Any

from valuechain.machines import StateMachine
from valuechain.models.common import Model, RunContext
from valuechain.models.orders.order import O2CSettings
from valuechain.rules import DecisionTable


class RunSetup(Model):
    """The run context and the parts `Loads` asked for, each under its input field."""

    context: RunContext
    tables: dict[str, DecisionTable] = {}
    machines: dict[str, StateMachine] = {}
    order_settings: dict[str, O2CSettings] = {}

    def parts(self) -> dict[str, Any]:
        return {**self.tables, **self.machines, **self.order_settings}
