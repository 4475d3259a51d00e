"""A throwaway PostgreSQL server for the tests that must see its concurrency (READ
COMMITTED, row locks), which SQLite's one-writer-at-a-time hides. Debian's server
binaries (package postgresql) are used where they are; CI installs them. As root, the
server runs as the `postgres` user (initdb refuses root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.cli import free_port


def find_bin_dir() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


@contextmanager
def postgres_server(bin_dir: Path) -> Iterator[str]:
    """Start a server in a folder of its own; yield a SQLAlchemy URL; stop it, remove it."""
    # Not under pytest's tmp_path: its folders are private to root, and the server may
    # have to run as another user.
    base = Path(tempfile.mkdtemp(prefix="valuechain-pg-"))
    data, sockets = base / "data", base / "run"
    sockets.mkdir(parents=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise RuntimeError("as root the PostgreSQL server needs runuser (util-linux)")
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*args: str) -> None:
        done = subprocess.run([*as_user, *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr or done.stdout}")

    port = free_port()
    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "valuechain", "--auth=trust", "-E",
        "UTF8", "--no-sync")  # fmt: skip
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
        str(base / "server.log"), "start")  # fmt: skip
    try:
        yield f"postgresql+psycopg://valuechain@127.0.0.1:{port}/postgres"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)
