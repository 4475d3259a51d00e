"""Files that hold a credential (a key, a password, a token, settings that carry one):
readable by their owner only from the moment they exist, written whole or not at all."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE_MODE = 0o600


def write_private(path: Path, data: bytes, replace: bool = True) -> None:
    """Write `data` to `path`, owner-only. With `replace` false an existing file is never
    overwritten (FileExistsError). The data goes to a temporary file first, then takes
    the path in one step, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not replace and path.exists():
        raise FileExistsError(path)
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(temporary, PRIVATE_MODE)  # an existing file keeps its mode through O_CREAT
    if replace:
        temporary.replace(path)
    else:
        try:
            os.link(temporary, path)  # fails if another writer made it meanwhile
        finally:
            temporary.unlink()


def secret_made_once(path: Path) -> str:
    """The secret in `path`, made (random, owner-only) the first time it is asked for."""
    if not path.exists():
        write_private(path, (secrets.token_urlsafe(32) + "\n").encode())
    return path.read_text().strip()
