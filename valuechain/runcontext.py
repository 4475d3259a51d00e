"""Turn settings and the roster file into the `RunContext` a workflow run carries."""

from __future__ import annotations

from datetime import timedelta
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from valuechain.datafiles import read_toml
from valuechain.identity.keys import KeyFileError, load_trust
from valuechain.machines import StateMachine, load_machine
from valuechain.models.common import ActivityPolicy, ClockPolicy, Loads, Roster, RunContext, Trust
from valuechain.models.orders import O2CSettings
from valuechain.models.setup import RunSetup
from valuechain.rules import DecisionTable, load_table
from valuechain.settings import Settings, SettingsError
from valuechain.validation import describe_validation_error


def load_roster(path: str = "") -> Roster:
    """Read the roster TOML (`[people] name = ["role", ...]`); errors name the file."""
    data = read_toml(path or _data_file("", ".", "roster"), "roster file", SettingsError)
    try:
        return Roster.model_validate(data)
    except ValidationError as err:
        raise SettingsError(describe_validation_error(f"roster file {path}", err)) from err


def _data_file(folder: str, packaged: str, name: str) -> str:
    if folder:
        return str(Path(folder) / f"{name}.toml")
    return str(resources.files("valuechain").joinpath(packaged, f"{name}.toml"))


def load_named_table(settings: Settings, name: str) -> DecisionTable:
    """The decision table `name` from VALUECHAIN_TABLES_DIR, or the one shipped."""
    return load_table(_data_file(settings.tables_dir, "tables", name))


def load_named_machine(settings: Settings, name: str) -> StateMachine:
    """The state machine `name` from VALUECHAIN_MACHINES_DIR, or the one shipped."""
    return load_machine(_data_file(settings.machines_dir, "machines", name))


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
        notice_delivery=settings.notice_delivery,
        publication="per_task",
        trust=run_trust(settings),
    )


def run_trust(settings: Settings) -> Trust:
    """The keys runs started now trust, from the trust file; a bad file is a settings
    error, so nothing starts."""
    try:
        trust = load_trust(settings.trust_path)
    except KeyFileError as err:
        raise SettingsError(str(err)) from err
    return trust.model_copy(
        update={"max_age": timedelta(seconds=settings.signature_max_age_seconds)}
    )


def o2c_settings(settings: Settings) -> O2CSettings:
    """The order-to-cash clocks an order starts with."""
    return O2CSettings(
        payment_terms=timedelta(seconds=settings.payment_terms_seconds),
        dunning_every=timedelta(seconds=settings.dunning_seconds),
        production_lead_time=timedelta(seconds=settings.production_lead_seconds),
        delivery_grace=timedelta(seconds=settings.delivery_grace_seconds),
    )


def load_setup(settings: Settings, loads: Loads) -> RunSetup:
    """The run context from the settings and the roster and trust files, and the tables,
    machines and order clocks `loads` names: what a starter puts into a run's input, and
    what a worker loads for a run started with its request alone. A bad file raises
    `SettingsError`, `TableError` or `MachineError` naming it."""
    order = loads.order_settings
    return RunSetup(
        context=build_context(settings),
        tables={field: load_named_table(settings, name) for field, name in loads.tables.items()},
        machines={
            field: load_named_machine(settings, name) for field, name in loads.machines.items()
        },
        order_settings={order: o2c_settings(settings)} if order else {},
    )
