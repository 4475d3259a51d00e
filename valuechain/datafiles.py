"""Reading the business data files (roster, decision tables, state machines): TOML whose
every error names the file, so a person can fix it."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any


def read_toml(
    path: str | Path,
    what: str,
    error: Callable[[str], Exception],
    parse_float: Callable[[str], Any] = Decimal,
) -> dict[str, Any]:
    """The file's data; `error` builds the exception for an unreadable file or bad TOML.
    Numbers with a fraction are Decimal by default: amounts must compare exactly."""
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise error(f"{what} {path}: {err.strerror}") from err
    try:
        return tomllib.loads(text, parse_float=parse_float)
    except tomllib.TOMLDecodeError as err:
        raise error(f"{what} {path}: not valid TOML: {err}") from err
