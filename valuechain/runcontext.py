"""Turn settings and the roster file into the `RunContext` a workflow run carries."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from valuechain.models.common import ActivityPolicy, ClockPolicy, Roster, RunContext
from valuechain.settings import Settings, SettingsError
from valuechain.validation import describe_validation_error


def load_roster(path: str = "") -> Roster:
    """Read the roster TOML (`[people] name = ["role", ...]`); errors name the file."""
    try:
        if path:
            text = Path(path).read_text()
        else:
            text = resources.files("valuechain").joinpath("roster.toml").read_text()
        return Roster.model_validate(tomllib.loads(text))
    except OSError as err:
        raise SettingsError(f"roster file {path}: {err.strerror}") from err
    except tomllib.TOMLDecodeError as err:
        raise SettingsError(f"roster file {path or '(built in)'}: {err}") from err
    except ValidationError as err:
        raise SettingsError(describe_validation_error(f"roster file {path}", err)) from err


def table_path(settings: Settings, name: str) -> str:
    """Where the decision table `name` is read from: VALUECHAIN_TABLES_DIR or the package."""
    if settings.tables_dir:
        return str(Path(settings.tables_dir) / f"{name}.toml")
    return str(resources.files("valuechain").joinpath("tables", f"{name}.toml"))


def build_context(settings: Settings, roster: Roster | None = None) -> RunContext:
    return RunContext(
        roster=roster or load_roster(settings.roster_file),
        clocks=ClockPolicy(due_after=settings.human_due, remind_every=settings.human_remind),
        activities=ActivityPolicy.model_validate(
            {
                "start_to_close": settings.activity_timeout_seconds,
                "initial_interval": settings.retry_initial_seconds,
                "backoff": settings.retry_backoff,
                "maximum_interval": settings.retry_max_interval_seconds,
                "maximum_attempts": settings.retry_max_attempts,
            }
        ),
        notifications_queue=settings.notifications_queue,
    )
