"""`valuechain users add|passwd|list`: the people who sign in to the task list. The
password is read from the terminal (asked twice) or, for scripts, one line on stdin."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

from cyclopts import App, Parameter

from starters import cli
from starters.cli import Failed, Json
from valuechain.identity.users import UsersFileError, load_users, set_user
from valuechain.runcontext import load_roster
from valuechain.settings import SettingsError

app = App(name="users", help="The people who sign in to the task list (VALUECHAIN_USERS_FILE).")

StdinFlag = Annotated[
    bool,
    Parameter(name="--password-stdin", negative=(), help="read the password from stdin"),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise Failed("the two passwords differ; nothing changed")
    return first


def _save(name: str, email: str | None, from_stdin: bool, new: bool) -> int:
    settings = cli.load_settings()
    path = settings.users_path
    try:
        roster = load_roster(settings.roster_file)
        users = load_users(path)
    except (SettingsError, UsersFileError) as err:
        raise Failed(str(err)) from err
    if name not in roster.people:
        raise Failed(f"'{name}' is not in the roster; the roster says who holds which role")
    if new and users.get(name) is not None:
        raise Failed(f"'{name}' is in {path} already; `valuechain users passwd` sets a password")
    if not new and users.get(name) is None:
        raise Failed(f"'{name}' is not in {path}; `valuechain users add` adds them")
    try:
        set_user(path, name, _password(from_stdin), email)
    except UsersFileError as err:
        raise Failed(str(err)) from err
    cli.console().print(f"{'added' if new else 'set the password of'} {name} in {path}")
    return 0


@app.command
def add(
    name: str,
    /,
    *,
    email: Annotated[str, Parameter(help="where their notices go")] = "",
    password_stdin: StdinFlag = False,
) -> int:
    """Add a person from the roster who may sign in to the task list."""
    return _save(name, email, password_stdin, new=True)


@app.command
def passwd(
    name: str,
    /,
    *,
    email: Annotated[str | None, Parameter(help="change their email too")] = None,
    password_stdin: StdinFlag = False,
) -> int:
    """Set a person's password (and, given, their email)."""
    return _save(name, email, password_stdin, new=False)


@app.command(name="list")
def list_(*, as_json: Json = False) -> int:
    """Who may sign in, with their email and roles (the roster's)."""
    settings = cli.load_settings()
    try:
        users = load_users(settings.users_path).users
        roster = load_roster(settings.roster_file)
    except (SettingsError, UsersFileError) as err:
        raise Failed(str(err)) from err
    rows = [
        {"name": u.name, "email": u.email, "roles": roster.people.get(u.name, [])} for u in users
    ]
    if as_json:
        cli.print_json(rows)
        return 0
    shown = cli.table(f"users in {settings.users_path}", "name", "email", "roles")
    for row in rows:
        shown.add_row(str(row["name"]), str(row["email"]), ", ".join(row["roles"]))
    cli.console().print(shown)
    return 0
