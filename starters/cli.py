"""The `valuechain` command: everything a person or a script does with Valuechain, one
program (`valuechain --help`). The flags of `start <workflow>` are generated from the
request models, which do all value checking; cyclopts builds them.

Exit codes: 0 done; 1 the work failed or was refused (Temporal unreachable, a decision
the workflow refused, an order that already exists); 2 bad input, with the field named,
and nothing done."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import pydantic_core
from cyclopts import App, Parameter
from cyclopts.exceptions import CycloptsError
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from temporalio.client import Client

from valuechain.client import ConnectError, connect
from valuechain.identity.keys import KeyFileError, SigningKey, load_key
from valuechain.process import configured_settings, run_command
from valuechain.settings import Settings, SettingsError
from valuechain.validation import describe_validation_error

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


# Machine-readable output on every command.
Json = Annotated[
    bool, Parameter(name="--json", negative=(), help="print JSON (for scripts) instead of text")
]


class Failed(Exception):
    """A command stopped: `message` says why; exit `code` (2: bad input, nothing done)."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


app = App(
    name="valuechain",
    help="Business workflows and processes on Temporal: start them, decide their human "
    "steps, act on orders, read where time goes, run the workers and the local stack.",
    result_action="return_value",
    help_format="plaintext",
    version_flags=(),
)


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # Not rich's exit 1: `run_command` ends with the shell's 141, as any Unix tool.
        raise BrokenPipeError


def console() -> Console:
    """Standard output for people: tables and text (plain, and wide, in a pipe or log)."""
    return _Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def print_json(data: Any) -> None:
    """Models, lists and dicts of them as JSON, money and times as strings."""
    sys.stdout.write(pydantic_core.to_json(data, indent=2).decode() + "\n")


def table(title: str | None, *columns: str) -> Table:
    t = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    for column in columns:
        t.add_column(column, overflow="fold")
    return t


# The key a command signs with: a decision, or the carrier's and bank's events.
KeyFile = Annotated[
    Path | None,
    Parameter(
        name="--key",
        help="key file to sign with (default: VALUECHAIN_SIGNING_KEY); unsigned is refused",
    ),
]


def signing_key(given: Path | None, settings: Settings, needed_for: str = "") -> SigningKey | None:
    """The key file given, else the setting's; a bad one is bad input. Without either:
    None, or bad input when the command cannot work unsigned (`needed_for` says why)."""
    path = given or settings.signing_key
    if not path:
        if needed_for:
            raise Failed(f"--key is needed: {needed_for} (or set VALUECHAIN_SIGNING_KEY)")
        return None
    try:
        return load_key(path)
    except KeyFileError as err:
        raise Failed(str(err)) from err


def load_settings(log_level: str | None = None) -> Settings:
    """The command's settings, logging set up from them; a bad one is bad input."""
    try:
        return configured_settings(log_level)
    except SettingsError as err:
        raise Failed(str(err)) from err


async def client_for(settings: Settings) -> Client:
    try:
        return await connect(settings)
    except ConnectError as err:
        raise Failed(str(err), EXIT_FAILED) from err


def explain(err: CycloptsError) -> str:
    """A usage error as one message naming the fields: the model's own words when the
    request model refused the values, cyclopts' otherwise."""
    cause = err.__cause__
    if isinstance(cause, ValidationError):
        chain = [c for c in (err.command_chain or ()) if c != "valuechain"]
        what = f"{chain[-1]} request" if chain[:1] == ["start"] else " ".join(chain) or "input"
        return describe_validation_error(what, cause)
    return (str(err) or type(err).__name__).strip()


def invoke(argv: list[str] | None = None) -> int:
    """Run the command line `argv` (default: this process's) and return its exit code."""
    from starters import commands  # noqa: F401  (the commands register themselves)

    try:
        code = app(argv if argv is not None else sys.argv[1:], exit_on_error=False,
                   print_error=False)  # fmt: skip
    except Failed as err:
        print(f"error: {err}", file=sys.stderr)
        return err.code
    except SettingsError as err:  # a settings file read by a command (the roster)
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CycloptsError as err:
        print(f"error: {explain(err)}", file=sys.stderr)
        print("  (valuechain <command> --help lists the flags)", file=sys.stderr)
        return EXIT_BAD_INPUT
    return code if isinstance(code, int) else 0


def main() -> NoReturn:
    """The console script."""
    run_command(invoke)
