"""Update payloads as they arrive: any JSON at all, parsed into the message's model by
the workflow's validator. If the SDK decoded straight into the model, a malformed payload
would fail before the validator with no word on which field is wrong; this way the
refusal names it, and like every validator refusal it writes nothing to the history."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from valuechain.validation import describe_validation_error

# What a JSON payload can decode to.
Raw = dict[str, Any] | list[Any] | str | int | float | bool | None

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], value: M | Raw, what: str) -> M:
    """`value` as a `model`; a ValueError naming each wrong field otherwise."""
    if isinstance(value, model):
        return value
    try:
        return model.model_validate(value)
    except ValidationError as err:
        raise ValueError(describe_validation_error(what, err)) from None
