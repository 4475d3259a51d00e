"""Decision tables: business rules as data that finance (or anyone) can change.

A table has a name, a version, typed inputs, declared outputs, ordered rules and a hit
policy: `first` (the first rule that matches decides) or `collect` (every matching rule
contributes). A rule matches when every condition of its `when` holds; a rule with no
conditions always matches. Conditions:

  number inputs: lt, le, gt, ge   (exact: amounts are Decimal, never float)
  string inputs: eq, one_of, none_of

A table is loaded from TOML, checked when loaded (errors name the rule and the field),
and then travels inside the workflow input: a run decides with the table it started
with, whatever happens to the file afterwards. Evaluation is pure, so workflows call it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, ValidationError, model_validator

from valuechain.datafiles import read_toml
from valuechain.models.common import NAME_PATTERN, Model

InputType = Literal["number", "string"]


class TableError(ValueError):
    """A table file that cannot be used, or facts that do not fit a table."""


class InputDef(Model):
    name: str = Field(pattern=NAME_PATTERN)
    type: InputType
    description: str = ""


class OutputDef(Model):
    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""


class Condition(Model):
    lt: Decimal | None = None
    le: Decimal | None = None
    gt: Decimal | None = None
    ge: Decimal | None = None
    eq: str | None = None
    one_of: list[str] | None = None
    none_of: list[str] | None = None

    def operators(self) -> list[str]:
        return [name for name, value in self if value is not None]

    def holds(self, value: Decimal | str) -> bool:
        if isinstance(value, Decimal):
            return (
                (self.lt is None or value < self.lt)
                and (self.le is None or value <= self.le)
                and (self.gt is None or value > self.gt)
                and (self.ge is None or value >= self.ge)
            )
        return (
            (self.eq is None or value == self.eq)
            and (self.one_of is None or value in self.one_of)
            and (self.none_of is None or value not in self.none_of)
        )


NUMBER_OPERATORS = {"lt", "le", "gt", "ge"}
STRING_OPERATORS = {"eq", "one_of", "none_of"}


class Rule(Model):
    id: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    when: dict[str, Condition] = {}
    then: dict[str, str]


class RuleHit(Model):
    rule: str
    outputs: dict[str, str]


class TableDecision(Model):
    """What a table decided, and which table and rules decided it."""

    table: str
    version: str
    hits: list[RuleHit]

    @property
    def rules(self) -> list[str]:
        return [hit.rule for hit in self.hits]

    def values(self, output: str) -> list[str]:
        return [hit.outputs[output] for hit in self.hits]


class DecisionTable(Model):
    name: str = Field(pattern=NAME_PATTERN)
    version: str = Field(min_length=1)
    description: str = ""
    hit_policy: Literal["first", "collect"]
    inputs: list[InputDef] = Field(min_length=1)
    outputs: list[OutputDef] = Field(min_length=1)
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        inputs = {i.name: i.type for i in self.inputs}
        outputs = {o.name for o in self.outputs}
        seen: set[str] = set()
        for rule in self.rules:
            where = f"rule '{rule.id}'"
            if rule.id in seen:
                raise ValueError(f"{where}: the id is used by an earlier rule")
            seen.add(rule.id)
            for name, condition in rule.when.items():
                if name not in inputs:
                    raise ValueError(
                        f"{where}: when.{name}: no such input (inputs: {', '.join(inputs)})"
                    )
                ops = condition.operators()
                if not ops:
                    raise ValueError(f"{where}: when.{name}: the condition is empty")
                allowed = NUMBER_OPERATORS if inputs[name] == "number" else STRING_OPERATORS
                wrong = [op for op in ops if op not in allowed]
                if wrong:
                    raise ValueError(
                        f"{where}: when.{name}.{wrong[0]}: not an operator for a"
                        f" {inputs[name]} input (use {', '.join(sorted(allowed))})"
                    )
            missing = sorted(outputs - rule.then.keys())
            if missing:
                raise ValueError(f"{where}: then: missing output {', '.join(missing)}")
            extra = sorted(rule.then.keys() - outputs)
            if extra:
                raise ValueError(f"{where}: then.{extra[0]}: no such output")
        return self

    def evaluate(self, facts: dict[str, Any]) -> TableDecision:
        """Apply the table to `facts`; raise TableError naming a missing or bad input."""
        values: dict[str, Decimal | str] = {}
        for spec in self.inputs:
            if spec.name not in facts:
                raise TableError(f"table {self.name}: input '{spec.name}' is missing")
            raw = facts[spec.name]
            if spec.type == "number":
                if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
                    raise TableError(f"table {self.name}: input '{spec.name}' must be a number")
                try:
                    values[spec.name] = Decimal(str(raw))
                except ArithmeticError:
                    raise TableError(
                        f"table {self.name}: input '{spec.name}' must be a number"
                    ) from None
            else:
                values[spec.name] = str(raw)
        hits = []
        for rule in self.rules:
            if all(cond.holds(values[name]) for name, cond in rule.when.items()):
                hits.append(RuleHit(rule=rule.id, outputs=dict(rule.then)))
                if self.hit_policy == "first":
                    break
        return TableDecision(table=self.name, version=self.version, hits=hits)


def load_table(path: str | Path) -> DecisionTable:
    """Read and check a table file; every error names the file, and the rule and field."""
    data = read_toml(path, "rules file", TableError)
    try:
        return DecisionTable.model_validate(data)
    except ValidationError as err:
        raise TableError(_describe(path, data, err)) from err


def _describe(path: str | Path, data: dict[str, Any], err: ValidationError) -> str:
    lines = [f"rules file {path} is invalid:"]
    found = data.get("rules")
    rules: list[Any] = found if isinstance(found, list) else []
    for problem in err.errors():
        loc = list(problem["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            index = loc[1]
            rule = rules[index] if index < len(rules) and isinstance(rules[index], dict) else {}
            where = f"rule '{rule.get('id', f'#{index + 1}')}': "
            loc = loc[2:]
        field = ".".join(str(part) for part in loc)
        message = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"  {where}{field + ': ' if field else ''}{message}")
    return "\n".join(lines)
