"""The run's set-up: the context a run started with its request alone needs (roster,
clocks, retry policy, trust, its tables and machines), loaded from this worker's
settings and files. The result is recorded in the run's history, so the run keeps these
rules for its whole life and replays with them."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import Activities
from valuechain import errors
from valuechain.machines import MachineError
from valuechain.models.common import Loads
from valuechain.models.setup import RunSetup
from valuechain.rules import TableError
from valuechain.runcontext import load_setup
from valuechain.settings import Settings, SettingsError


class SetupActivities(Activities):
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @activity.defn(name="load_run_setup")
    def load_run_setup(self, input: Loads) -> RunSetup:
        # The files are read on every call: a roster edited on the worker's machine holds
        # for the runs that start after the edit, and for no run already going.
        try:
            setup = load_setup(self._settings, input)
        except (SettingsError, TableError, MachineError) as err:
            # A person must fix the file; retrying would only hold the run up.
            raise ApplicationError(
                f"the worker cannot set up the run: {err}",
                type=errors.SETUP_FAILED,
                non_retryable=True,
            ) from err
        activity.logger.info(
            "run context loaded from the worker's settings",
            extra={
                "tables": list(input.tables.values()),
                "machines": list(input.machines.values()),
            },
        )
        return setup
