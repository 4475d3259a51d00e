"""Where the cluster's processes listen: Temporal's usual layout around the frontend's
port, or free ports for tests that run a cluster beside other servers."""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Ports:
    frontend: int
    frontend_http: int
    frontend_membership: int
    history: tuple[tuple[int, int], tuple[int, int]]  # (grpc, membership) per instance
    matching: tuple[int, int]
    worker: tuple[int, int]
    postgres: int
    ui: int

    @classmethod
    def standard(cls, frontend: int, postgres: int, ui: int) -> Ports:
        """Temporal's usual layout around the frontend's port (7233: history 7234,
        matching 7235, worker 7239, membership 300 below each); the second history
        instance on frontend + 3."""
        f = frontend
        return cls(
            frontend=f,
            frontend_http=f + 10,
            frontend_membership=f - 300,
            history=((f + 1, f - 299), (f + 3, f - 297)),
            matching=(f + 2, f - 298),
            worker=(f + 6, f - 294),
            postgres=postgres,
            ui=ui,
        )

    @classmethod
    def free(cls) -> Ports:
        """Ports nothing listens on now (tests run clusters beside other servers). Below
        32768: the server stores membership ports as a SQL smallint, and the kernel hands
        out ports above that to outgoing connections."""
        rng = random.Random()
        found: list[int] = []
        while len(found) < 13:
            port = rng.randint(20000, 32767)
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue  # taken
            if port not in found:
                found.append(port)
        p = iter(found)
        return cls(
            frontend=next(p),
            frontend_http=next(p),
            frontend_membership=next(p),
            history=((next(p), next(p)), (next(p), next(p))),
            matching=(next(p), next(p)),
            worker=(next(p), next(p)),
            postgres=next(p),
            ui=next(p),
        )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.frontend}"

    def named(self) -> dict[str, int]:
        return {
            "frontend": self.frontend,
            "frontend HTTP": self.frontend_http,
            "frontend membership": self.frontend_membership,
            "history-1": self.history[0][0],
            "history-1 membership": self.history[0][1],
            "history-2": self.history[1][0],
            "history-2 membership": self.history[1][1],
            "matching": self.matching[0],
            "matching membership": self.matching[1],
            "worker service": self.worker[0],
            "worker service membership": self.worker[1],
            "PostgreSQL": self.postgres,
            "Web UI": self.ui,
        }

    def taken(self) -> list[str]:
        """The ports something else listens on already, by what the cluster wants them for."""
        busy = []
        for what, port in self.named().items():
            with socket.socket() as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    busy.append(f"{port} ({what})")
        return busy
