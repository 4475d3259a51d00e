"""Step costs: the setting the process-insight report prices steps by (costs.toml)."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from valuechain.datafiles import read_toml
from valuechain.settings import Settings, SettingsError
from valuechain.validation import describe_validation_error

StepName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Amount = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class CostTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    steps: dict[StepName, Amount] = {}
    types: dict[str, dict[StepName, Amount]] = {}

    def of(self, workflow_type: str, step: str) -> Decimal:
        """What one `step` of a `workflow_type` run costs (nothing if it is not priced)."""
        priced = self.types.get(workflow_type, {})
        return priced.get(step, self.steps.get(step, Decimal(0)))

    def with_steps(self, steps: dict[str, Decimal]) -> CostTable:
        """This table with some step prices set for every type (the report's --cost)."""
        return self.model_copy(update={"steps": {**self.steps, **steps}})

    @property
    def empty(self) -> bool:
        return not self.steps and not any(self.types.values())


def load_costs(settings: Settings, path: str = "") -> CostTable:
    """The cost table from `path`, VALUECHAIN_COSTS_FILE, or the one shipped."""
    path = path or settings.costs_file or str(resources.files("valuechain") / "costs.toml")
    data = read_toml(path, "costs file", SettingsError)
    try:
        return CostTable.model_validate(data)
    except ValidationError as err:
        raise SettingsError(describe_validation_error(f"costs file {path}", err)) from err
