"""A PostgreSQL server from Debian's packages (`postgresql`), run from a data folder of
its own, on loopback only, on a port of its own: the cluster's database, and the tests'
throwaway one. As root, the server runs as the `postgres` user (initdb refuses root).

Password authentication (SCRAM) for the one superuser the server is made with; the
password is generated at set-up and kept beside the data, readable by its owner only.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from valuechain.private import write_private


class PostgresError(RuntimeError):
    pass


def find_bin_dir() -> Path | None:
    """Where Debian's server binaries are (pg_ctl is not on PATH there)."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        raise PostgresError("as root the PostgreSQL server needs runuser (util-linux)")
    return ["runuser", "-u", "postgres", "--"]


def _reachable_by_postgres(path: Path) -> Path | None:
    """The first folder above `path` the `postgres` user cannot pass through, if any."""
    for parent in reversed(path.resolve().parents):
        mode = parent.stat()
        if not mode.st_mode & 0o001 and parent.owner() != "postgres":
            return parent
    return None


@dataclass
class PostgresServer:
    bin_dir: Path
    base: Path  # holds data/, run/ (the socket), server.log and the password
    port: int
    user: str = "valuechain"
    fsync: bool = True  # off only for throwaway servers

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def password_file(self) -> Path:
        return self.base / "password"

    @property
    def log_file(self) -> Path:
        return self.base / "server.log"

    @property
    def password(self) -> str:
        return self.password_file.read_text().strip()

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        """A SQLAlchemy URL for `database` on this server."""
        return f"{driver}://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> str:
        done = subprocess.run([*_run_as(), *args], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise PostgresError(
                f"{Path(args[0]).name} {' '.join(args[1:3])} failed: {done.stderr or done.stdout}"
                f" (log: {self.log_file})"
            )
        return done.stdout

    def init(self) -> bool:
        """Create the data folder unless it exists; True when it was created."""
        if (self.data / "PG_VERSION").exists():
            return False
        self.base.mkdir(parents=True, exist_ok=True)
        (self.base / "run").mkdir(exist_ok=True)
        if os.geteuid() == 0:
            blocked = _reachable_by_postgres(self.base)
            if blocked is not None:
                raise PostgresError(
                    f"the postgres user cannot reach {self.base}: {blocked} is closed to"
                    f" others (chmod o+x {blocked}, or choose another VALUECHAIN_STATE_DIR)"
                )
            for path in (self.base, self.base / "run"):
                shutil.chown(path, "postgres")
        if not self.password_file.exists():
            write_private(self.password_file, (secrets.token_urlsafe(24) + "\n").encode())
        # initdb reads the password as the postgres user: hand it a copy it may read.
        pwfile = self.base / "run" / "initdb-password"
        write_private(pwfile, self.password.encode())
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres")
        try:
            self._run(
                str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", self.user,
                f"--pwfile={pwfile}", "--auth=scram-sha-256", "-E", "UTF8",
                *([] if self.fsync else ["--no-sync"]),
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        return True

    def start(self) -> None:
        self.init()
        options = (
            f"-p {self.port} -k {self.base / 'run'} -c listen_addresses=127.0.0.1"
            # Five Temporal services, workers and commands share it.
            " -c max_connections=300" + ("" if self.fsync else " -c fsync=off")
        )
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
                  "-t", "60", "-l", str(self.log_file), "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w",
                      "stop")  # fmt: skip

    def restart(self) -> None:
        self.stop()
        self.start()

    def pid(self) -> int | None:
        """The postmaster's process id while the server runs."""
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def create_database(self, name: str) -> bool:
        """Create `name` unless it exists; True when it was created."""
        exists = self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip()
        if exists:
            return False
        self.psql(f'CREATE DATABASE "{name}"')
        return True

    def psql(self, sql: str, database: str = "postgres") -> str:
        env = {**os.environ, "PGPASSWORD": self.password}
        done = subprocess.run(
            [str(self.bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
             self.user, "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise PostgresError(f"psql: {done.stderr.strip()}")
        return done.stdout
