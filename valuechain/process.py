"""Ending a command-line process that has used a Temporal client."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import NoReturn


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
