"""A throwaway PostgreSQL server for the tests that must see its concurrency (READ
COMMITTED, row locks), which SQLite's one-writer-at-a-time hides: the cluster's own
server module (Debian's binaries; CI installs them), in a folder of its own."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.cli import free_port
from valuechain.cluster.postgres import PostgresServer


@contextmanager
def postgres_server(bin_dir: Path) -> Iterator[str]:
    """Start a server in a folder of its own; yield a SQLAlchemy URL; stop it, remove it."""
    # Not under pytest's tmp_path: its folders are private to root, and the server may
    # have to run as another user.
    base = Path(tempfile.mkdtemp(prefix="valuechain-pg-"))
    server = PostgresServer(bin_dir, base, free_port(), fsync=False)
    server.start()
    try:
        yield server.url("postgres")
    finally:
        server.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)
