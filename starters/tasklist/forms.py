"""Start forms generated from the request models, as `valuechain start` builds its flags
from them: one input per field, its description as the hint; the model checks the values
and a wrong one is shown beside its field, with nothing started."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio.client import Client

from starters.cli import Failed
from starters.start import BY_NAME, STARTABLE, Startable, launch, prepare
from valuechain.settings import Settings

# Fields that name who asks: filled with the person signed in.
REQUESTER_FIELDS = {
    "employee", "author", "writer", "requester", "submitted_by", "proposer", "owner", "manager",
}  # fmt: skip


@dataclass
class Input:
    name: str
    hint: str
    kind: str  # text, textarea (one item a line), number, date, datetime-local, checkbox
    required: bool
    value: str = ""
    error: str = ""


@dataclass
class StartForm:
    name: str
    summary: str
    inputs: list[Input] = field(default_factory=list)
    error: str = ""
    # A field no form input can carry (a list of records): start it from the command line.
    unsupported: list[str] = field(default_factory=list)


def _kind(annotation: Any) -> tuple[str, bool]:
    """The input for a field's type, and whether a form can carry it at all."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _kind(inner[0]) if len(inner) == 1 else ("text", True)
    if origin is typing.Annotated:
        return _kind(typing.get_args(annotation)[0])
    if origin is list:
        [item] = typing.get_args(annotation) or [str]
        item = typing.get_args(item)[0] if typing.get_origin(item) is typing.Annotated else item
        # A list of records is too rich for a textarea, unless the model reads a line.
        line_read = getattr(item, "__name__", "") == "OrderLine"
        return "textarea", not (isinstance(item, type) and issubclass(item, BaseModel)) or line_read
    if isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "checkbox", True
        if issubclass(annotation, (int, float, Decimal)):
            return "number", True
        if issubclass(annotation, datetime):
            return "datetime-local", True
        if issubclass(annotation, date):
            return "date", True
        if issubclass(annotation, BaseModel):
            return "text", False
    return "text", True


def _inputs(row: Startable, values: dict[str, str]) -> tuple[list[Input], list[str]]:
    inputs, unsupported = [], []
    for name, info in row.request.model_fields.items():
        kind, fits = _kind(info.annotation)
        if not fits:
            if info.is_required():
                unsupported.append(name)
            continue  # its default serves
        hint = info.description or ""
        inputs.append(Input(name, hint, kind, info.is_required(), values.get(name, "")))
    return inputs, unsupported


def start_page(name: str | None = None, person: str = "") -> Any:
    """With no name: the workflows a person can start. With one: its empty form."""
    if name is None:
        return STARTABLE
    row = BY_NAME.get(name)
    if row is None:
        return StartForm(name, "", error=f"there is no workflow '{name}' to start")
    defaults = {k: str(v) for k, v in row.defaults().items()}
    prefilled = {f: person for f in row.request.model_fields if f in REQUESTER_FIELDS}
    inputs, unsupported = _inputs(row, {**defaults, **prefilled})
    return StartForm(row.name, row.summary, inputs, unsupported=unsupported)


def _data(inputs: list[Input], form: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for given in inputs:
        raw = str(form.get(given.name, "")).strip()
        given.value = raw
        if given.kind == "checkbox":
            data[given.name] = raw == "on"
        elif given.kind == "textarea":
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            if lines or given.required:
                data[given.name] = lines
        elif raw or given.required:
            data[given.name] = raw
    return data


async def start_request(
    client: Client, settings: Settings, name: str, person: str, form: dict[str, Any]
) -> tuple[str | None, StartForm]:
    """Start the workflow from the form; the workflow id, or None and the form again with
    each wrong field's message beside it."""
    page = start_page(name, person)
    row = BY_NAME.get(name)
    if row is None or page.unsupported:
        return None, page
    data = _data(page.inputs, form)
    try:
        request = row.request.model_validate(data)
    except ValidationError as err:
        by_field = {i.name: i for i in page.inputs}
        for problem in err.errors():
            where = str(problem["loc"][0]) if problem["loc"] else ""
            if where in by_field:
                by_field[where].error = problem["msg"]
            else:
                page.error = f"{where or 'request'}: {problem['msg']}"
        return None, page
    try:
        handle = await launch(client, settings, row, prepare(row, settings, request))
    except Failed as err:
        page.error = str(err)
        return None, page
    return handle.id, page
