"""`valuechain tasklist`: serve the task list (its port, sign-in and key from the
settings) until SIGTERM or SIGINT."""

from __future__ import annotations

from typing import Annotated

from cyclopts import Parameter

from starters.cli import Failed, app, load_settings
from starters.http import serve
from starters.tasklist.auth import SignIn, session_secret
from starters.tasklist.web import TaskList, build_app
from valuechain.client import connect
from valuechain.identity.keys import KeyFileError, load_key
from valuechain.identity.users import LockOut, UsersFileError, load_users
from valuechain.runcontext import load_roster
from valuechain.settings import Settings, SettingsError


def task_list(settings: Settings) -> TaskList:
    """The task list's parts from the settings; a bad file is bad input (exit 2)."""
    try:
        roster = load_roster(settings.roster_file)
        load_users(settings.users_path)  # a broken users file stops it at start, not later
        keys = [load_key(path) for path in settings.tasklist_key_paths]
    except (SettingsError, UsersFileError, KeyFileError) as err:
        raise Failed(str(err)) from err
    for path, key in zip(settings.tasklist_key_paths, keys, strict=True):
        if key.kind not in ("tasklist", "admin"):
            raise Failed(f"{path}: a {key.kind} key cannot sign decisions")
    return TaskList(
        settings=settings,
        roster=roster,
        keys=keys,
        sign_in=SignIn(settings.users_path, LockOut()),
        secret=session_secret(settings),
        connect=lambda: connect(settings),
    )


@app.command
def tasklist(
    *, port: Annotated[int | None, Parameter(help="default: VALUECHAIN_TASKLIST_PORT")] = None
) -> int:
    """Serve the task list: people sign in, see what waits on them and decide; every
    decision is signed with the task list's key (VALUECHAIN_TASKLIST_KEY)."""
    settings = load_settings()
    return serve(build_app(task_list(settings)), settings, port or settings.tasklist_port)
