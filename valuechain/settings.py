"""Settings read from environment variables, each with a documented default.

Workflows never read these: starters turn them into a `RunContext` that travels in the
workflow input, so a running workflow keeps the values it started with. Where Temporal is
and how to reach it are Temporal's own client settings (`TEMPORAL_ADDRESS`, ...), read by
`valuechain.connection`. (The binaries' settings, VALUECHAIN_TEMPORAL_CLI and
VALUECHAIN_CACHE_DIR, are read by `valuechain.binaries`, which must run before any
dependency is installed.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any

from valuechain.connection import Connection, ConnectionSettingsError, load_connection


class SettingsError(ValueError):
    """An environment variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    approvals_queue: str = "valuechain-approvals"
    notifications_queue: str = "valuechain-notifications"
    orders_queue: str = "valuechain-orders"
    state_dir: Path = Path(".valuechain")
    database_url: str = ""  # empty: a SQLite file in state_dir
    roster_file: str = ""  # empty: the roster shipped with the package
    tables_dir: str = ""  # empty: the decision tables shipped with the package
    machines_dir: str = ""  # empty: the state machines shipped with the package
    costs_file: str = ""  # empty: the step costs shipped with the package
    human_due_seconds: float = 24 * 3600.0
    human_remind_seconds: float = 4 * 3600.0
    payment_terms_seconds: float = 30 * 86400.0
    dunning_seconds: float = 7 * 86400.0
    production_lead_seconds: float = 2 * 86400.0
    delivery_grace_seconds: float = 2 * 86400.0
    activity_timeout_seconds: float = 30.0
    retry_initial_seconds: float = 1.0
    retry_backoff: float = 2.0
    retry_max_interval_seconds: float = 60.0
    retry_max_attempts: int = 10
    shutdown_grace_seconds: float = 30.0
    listen_host: str = "127.0.0.1"  # where metrics and health listen (0.0.0.0 in containers)
    metrics_port: int = 9464  # 0: no metrics endpoint
    health_port: int = 8081  # 0: no health endpoint
    log_format: str = "console"
    log_level: str = "INFO"
    ui_port: int = 8233
    cluster_postgres_port: int = 55432
    cluster_history_shards: int = 16
    cluster_ui_port: int = 8080
    # Temporal's client settings (TEMPORAL_*), not a VALUECHAIN_ variable.
    temporal: Connection = field(default_factory=Connection)

    @property
    def temporal_address(self) -> str:
        return self.temporal.address

    @property
    def namespace(self) -> str:
        return self.temporal.namespace

    @classmethod
    def env_fields(cls) -> list[Field[Any]]:
        """The fields read from `VALUECHAIN_<FIELD>` variables."""
        return [f for f in fields(cls) if f.name != "temporal"]

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.state_dir / 'records.db').resolve()}"

    @property
    def human_queues(self) -> list[str]:
        """The queues whose workflows have human steps (collections is an order's)."""
        return [self.approvals_queue, self.orders_queue]

    @property
    def human_due(self) -> timedelta:
        return timedelta(seconds=self.human_due_seconds)

    @property
    def human_remind(self) -> timedelta:
        return timedelta(seconds=self.human_remind_seconds)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from `VALUECHAIN_<FIELD>` variables; raise naming the bad one."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in cls.env_fields():
            var = env_var(f.name)
            raw = env.get(var)
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(var, raw, f.type)
        try:
            values["temporal"] = load_connection(env)
        except ConnectionSettingsError as err:
            raise SettingsError(str(err)) from None
        settings = cls(**values)  # type: ignore[arg-type]
        settings._check()
        return settings

    def _check(self) -> None:
        positive = [
            "human_due_seconds",
            "human_remind_seconds",
            "payment_terms_seconds",
            "dunning_seconds",
            "activity_timeout_seconds",
            "retry_initial_seconds",
            "retry_max_interval_seconds",
        ]
        for name in positive:
            if getattr(self, name) <= 0:
                raise SettingsError(f"{env_var(name)} must be greater than 0")
        for name in ("cluster_postgres_port", "cluster_ui_port"):
            if not 1 <= getattr(self, name) <= 65535:
                raise SettingsError(f"{env_var(name)} must be a port number")
        if not 1 <= self.cluster_history_shards <= 4096:
            raise SettingsError(f"{env_var('cluster_history_shards')} must be from 1 to 4096")
        for name in ("metrics_port", "health_port"):
            if not 0 <= getattr(self, name) <= 65535:
                raise SettingsError(f"{env_var(name)} must be a port number (0 to turn it off)")
        for name in ("production_lead_seconds", "delivery_grace_seconds", "shutdown_grace_seconds"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{env_var(name)} must be 0 or more")
        if self.retry_backoff < 1:
            raise SettingsError(f"{env_var('retry_backoff')} must be 1 or more")
        if self.retry_max_attempts < 0:
            raise SettingsError(f"{env_var('retry_max_attempts')} must be 0 (unlimited) or more")
        if self.log_format not in ("console", "json"):
            raise SettingsError(f"{env_var('log_format')} must be 'console' or 'json'")
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise SettingsError(f"{env_var('log_level')} must be DEBUG, INFO, WARNING or ERROR")


def env_var(field_name: str) -> str:
    return f"VALUECHAIN_{field_name.upper()}"


def _parse(var: str, raw: str, type_name: object) -> object:
    kind = str(type_name)
    try:
        if kind == "float":
            return float(raw)
        if kind == "int":
            return int(raw)
    except ValueError:
        raise SettingsError(f"{var}={raw!r} is not a number") from None
    if kind == "Path":
        return Path(raw).expanduser()
    return raw
