"""Ending a command-line process that has used a Temporal client."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import NoReturn

from valuechain.logging import configure_logging
from valuechain.settings import Settings, SettingsError


def exit_process(code: int) -> NoReturn:
    """Flush output and exit without interpreter finalization.

    The SDK's Rust runtime threads can abort CPython's finalization with
    "PyGILState_Release: thread state ... must be current" (temporalio/sdk-python#300),
    turning a finished command into exit 134 and losing buffered output. Everything the
    command had to do is done by the time this is called.
    """
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def configured_settings(log_level: str | None = None) -> Settings:
    """A process's settings, its logging set up from them (at `log_level` if given);
    SettingsError names each bad variable."""
    settings = Settings.from_env()
    configure_logging(settings.log_format, log_level or settings.log_level)
    return settings


def settings_or_exit(log_level: str | None = None) -> Settings:
    """`configured_settings`, or the command ends: the message names each variable,
    exit 2, nothing done."""
    try:
        return configured_settings(log_level)
    except SettingsError as err:
        print(f"error: {err}", file=sys.stderr)
        exit_process(2)


EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE  # what a shell shows for a tool its reader left


def run_command(main: Callable[[], int]) -> NoReturn:
    """Run a command-line main and exit with its code. A reader that stops early (a pipe
    into `head`) ends the command quietly, as with any Unix tool, not with a traceback.

    Not by restoring SIGPIPE's default action: that would also kill the command when the
    SDK writes to a socket the server has closed (a refused TLS handshake), where an
    error to report is what is wanted."""
    try:
        try:
            code = main()
        except SystemExit as done:  # argparse's --help and usage errors end this way
            code = done.code if isinstance(done.code, int) else int(done.code is not None)
        sys.stdout.flush()
    except BrokenPipeError:
        # What is left to print goes nowhere (Python would try again at exit).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = EXIT_BROKEN_PIPE
    exit_process(code)


@contextlib.contextmanager
def terminal_to_ourselves() -> Iterator[None]:
    """Make this process the terminal's foreground process group while it runs, so a
    Ctrl-C reaches it (and what it stops in order) and not `make` above it: make would
    report the interrupt as a failure (exit 130) even after a clean stop. Without a
    terminal, or when not in its foreground, nothing changes."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        yield
        return
    try:
        before = os.tcgetpgrp(tty)
        if before != os.getpgrp():
            yield  # run in the background: the terminal is not ours to take
            return
        os.setpgid(0, 0)
        # Handing the terminal back from what is then a background group stops the
        # process (SIGTTOU) unless that signal is ignored.
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        os.tcsetpgrp(tty, os.getpgrp())
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.tcsetpgrp(tty, before)
    finally:
        os.close(tty)


def peak_memory_mb(pid: int | str = "self") -> float | None:
    """A process's peak resident memory (its VmHWM), where the system tells it (Linux's
    /proc); None elsewhere or once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
