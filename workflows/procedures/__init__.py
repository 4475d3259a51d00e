"""Each human step's work instructions, as Markdown beside the workflows: what to check
and what each decision means. `<WorkflowType>/<step>.md`; a step named after a person, a
role or a department (`sign_off_dev`, `legal_review`) has one file for all of them, its
varying part written `{}` (`sign_off_{}.md`, `{}_review.md`)."""

from __future__ import annotations

import re
from importlib import resources
from importlib.resources.abc import Traversable

PACKAGE = "workflows.procedures"


def _files(workflow_type: str) -> dict[str, Traversable]:
    folder = resources.files(PACKAGE).joinpath(workflow_type)
    if not folder.is_dir():
        return {}
    return {f.name[: -len(".md")]: f for f in folder.iterdir() if f.name.endswith(".md")}


def procedure(workflow_type: str, step: str) -> str | None:
    """The step's procedure (Markdown), or None when it has none."""
    files = _files(workflow_type)
    if step in files:
        return files[step].read_text(encoding="utf-8")
    for name, file in sorted(files.items()):
        if "{}" in name:
            pattern = "^" + re.escape(name).replace(r"\{\}", "[a-z0-9_.-]+") + "$"
            if re.match(pattern, step):
                return file.read_text(encoding="utf-8")
    return None
