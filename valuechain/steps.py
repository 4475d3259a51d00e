"""An activity's summary begins with the name of the step it works for
("payout: pay 120.00 EUR to NL91..."). The Web UI shows it on the activity, and the
process-insight report reads it back from the event history to tie each activity's
attempts and failures to its step: one convention, written here once."""

from __future__ import annotations

import re

_STEP = re.compile(r"^([a-z][a-z0-9_]*): ")


def activity_summary(step: str, text: str) -> str:
    return f"{step}: {text}"


def step_of(summary: str) -> str | None:
    """The step an activity summary names, or None for one written without a step."""
    found = _STEP.match(summary)
    return found.group(1) if found else None
