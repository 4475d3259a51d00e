"""Files that hold a credential (a key, a password, a token, settings that carry one):
readable by their owner only from the moment they exist, written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

PRIVATE_MODE = 0o600


def write_private(path: Path, data: bytes, replace: bool = True) -> None:
    """Write `data` to `path`, owner-only. With `replace` false an existing file is never
    overwritten (FileExistsError). The data goes to a temporary file of this writer's own
    first, then takes the path in one step, so a reader never sees half of it and two
    writers at once never write into each other's file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not replace and path.exists():
        raise FileExistsError(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".new")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), PRIVATE_MODE)  # exactly owner-only, whatever the umask
            out.write(data)
        if replace:
            temporary.replace(path)
        else:
            os.link(temporary, path)  # fails if another writer made it meanwhile
    finally:
        temporary.unlink(missing_ok=True)


def secret_made_once(path: Path) -> str:
    """The secret in `path`, made (random, owner-only) the first time it is asked for.
    Processes started together (the task list and the codec server check the same
    sessions) all get the one secret: the first to make the file wins."""
    if not path.exists():
        # Another process may make it first: then theirs is the secret.
        with contextlib.suppress(FileExistsError):
            write_private(path, (secrets.token_urlsafe(32) + "\n").encode(), replace=False)
    return path.read_text().strip()
