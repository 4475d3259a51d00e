"""One way to tell a person what is wrong with their input: one line per field."""

from __future__ import annotations

from pydantic import ValidationError


def describe_validation_error(what: str, err: ValidationError) -> str:
    lines = [f"invalid {what}:"]
    for problem in err.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "(input)"
        given = problem.get("input")
        shown = "" if isinstance(given, dict) else f" (got {given!r})"
        lines.append(f"  {field}: {problem['msg']}{shown}")
    return "\n".join(lines)
