"""Settings read from environment variables, each with a documented default.

Workflows never read these: starters turn them into a `RunContext` that travels in the
workflow input, so a running workflow keeps the values it started with. Where Temporal is
and how to reach it are Temporal's own client settings (`TEMPORAL_ADDRESS`, ...), read by
`valuechain.connection`. (The binaries' settings, VALUECHAIN_TEMPORAL_CLI and
VALUECHAIN_CACHE_DIR, are read by `valuechain.cluster.binaries`, which must run before any
dependency is installed.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from valuechain.connection import Connection, ConnectionSettingsError, load_connection
from valuechain.environment import PREFIX, describe, reading, sources
from valuechain.environment import SettingsError as SettingsError
from valuechain.environment import env_var as env_var
from valuechain.models.common import NoticeDelivery

Seconds = Annotated[float, Field(gt=0)]
Port = Annotated[int, Field(ge=0, le=65535)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Level = Annotated[
    Literal["DEBUG", "INFO", "WARNING", "ERROR"],
    BeforeValidator(lambda v: v.upper() if isinstance(v, str) else v),
]
ExpandedPath = Annotated[
    Path, BeforeValidator(lambda v: Path(v).expanduser() if isinstance(v, str) else v)
]


class Settings(BaseSettings):
    """Every setting, typed and bounded, read from `VALUECHAIN_<FIELD>` variables by
    `from_env`; `Settings(...)` takes its arguments and the defaults only."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        arbitrary_types_allowed=True,
        env_prefix=PREFIX,
        env_ignore_empty=True,  # an empty variable is an unset one: the default
    )

    approvals_queue: Name = Field(
        "valuechain-approvals", description="task queue of the workflows and bookings"
    )
    notifications_queue: Name = Field(
        "valuechain-notifications", description="task queue of the notifier"
    )
    notice_delivery: NoticeDelivery = Field(
        "local",
        description="how runs started now send notices: local, the run's own worker records"
        " it in the outbox (a local activity: one to four history events) and the"
        " notifications service mails it; queue, an activity on notifications_queue records"
        " and mails each (six events)",
    )
    orders_queue: Name = Field(
        "valuechain-orders", description="task queue of order-to-cash and its stages"
    )
    state_dir: ExpandedPath = Field(
        Path(".valuechain"),
        description="local state: dev-server database, SQLite records, worker logs, the cluster",
    )
    database_url: str = Field(
        "", description="system of record (SQLAlchemy URL); empty: a SQLite file in state_dir"
    )
    roster_file: str = Field("", description="who holds which role; empty: the shipped roster")
    tables_dir: str = Field("", description="decision tables; empty: the shipped ones")
    machines_dir: str = Field("", description="state machines; empty: the shipped ones")
    costs_file: str = Field("", description="what each step costs; empty: the shipped costs")
    tasklist_port: Port = Field(8090, description="the task list's web port")
    tasklist_url: str = Field(
        "", description="the task list's address in links (notices); empty: localhost:port"
    )
    tasklist_key: str = Field(
        "",
        description="key files the task list signs decisions with, comma-separated, the newest"
        " first (a key rotation); empty: state_dir/keys/tasklist.key",
    )
    tasklist_session_minutes: int = Field(
        60, ge=1, le=7 * 24 * 60, description="how long a task list sign-in lasts"
    )
    tasklist_secure_cookies: bool = Field(
        False, description="session cookies only over HTTPS (set it behind TLS)"
    )
    tasklist_proxy_header: str = Field(
        "",
        description="single sign-on: take the signed-in name from this header (for example"
        " X-Forwarded-User), only from tasklist_proxy_from; empty: off",
    )
    tasklist_proxy_from: str = Field(
        "127.0.0.1", description="comma-separated addresses of the proxy trusted for that header"
    )
    smtp_host: str = Field("", description="mail server for notices; empty: no email (outbox only)")
    smtp_port: Port = Field(587, description="mail server port")
    smtp_starttls: bool = Field(True, description="upgrade the mail connection with STARTTLS")
    smtp_ca_file: str = Field(
        "", description="CA certificates to trust for STARTTLS; empty: the system's"
    )
    smtp_username: str = Field("", description="mail server login; empty: none")
    smtp_password: str = Field("", description="mail server password")
    smtp_sender: str = Field("valuechain@localhost", description="the From address of notices")
    mail_poll_seconds: float = Field(
        2.0,
        gt=0,
        le=3600,
        description="how often the notifications service looks for notices to mail",
    )
    users_file: str = Field(
        "", description="who may sign in to the task list (TOML); empty: state_dir/users.toml"
    )
    encryption: bool = Field(
        True, description="encrypt payloads when a payload key file is found (false: never)"
    )
    payload_keys: str = Field(
        "",
        description="payload key file (TOML: primary, keys); empty:"
        " state_dir/keys/payload-keys.toml if it exists, else no encryption",
    )
    codec_port: Port = Field(8091, description="the codec server's port")
    codec_token: str = Field(
        "", description="the codec server's bearer token; empty: state_dir/codec-token (made)"
    )
    codec_origins: str = Field(
        "http://localhost:8233,http://localhost:8080",
        description="comma-separated Web UI origins the codec server answers browsers from",
    )
    codec_endpoint: str = Field(
        "",
        description="the codec server's URL as the Web UI and the temporal CLI reach it;"
        " empty: http://localhost:<codec_port>",
    )
    trust_file: str = Field(
        "",
        description="public keys whose signatures runs accept on decisions and partner events"
        " (TOML); empty: state_dir/keys/trust.toml if it exists, else none",
    )
    signing_key: str = Field(
        "", description="key file this process signs decisions or partner events with"
    )
    signature_max_age_seconds: Seconds = Field(
        300.0, description="how old a signed decision or event may be when it arrives"
    )
    human_due_seconds: Seconds = Field(
        24 * 3600.0, description="how long a human step waits before it escalates"
    )
    human_remind_seconds: Seconds = Field(
        4 * 3600.0, description="reminder cadence while a step waits"
    )
    payment_terms_seconds: Seconds = Field(30 * 86400.0, description="from invoice to due date")
    dunning_seconds: Seconds = Field(
        7 * 86400.0, description="payment reminder cadence before the due date"
    )
    production_lead_seconds: float = Field(
        2 * 86400.0, ge=0, description="production lead time when stock is short"
    )
    delivery_grace_seconds: float = Field(
        2 * 86400.0, ge=0, description="past the planned transit time before logistics is told"
    )
    activity_timeout_seconds: Seconds = Field(
        30.0, description="start-to-close timeout of each automated step"
    )
    retry_initial_seconds: Seconds = Field(1.0, description="first retry interval")
    retry_backoff: float = Field(2.0, ge=1, description="retry backoff coefficient")
    retry_max_interval_seconds: Seconds = Field(60.0, description="longest retry interval")
    retry_max_attempts: int = Field(
        10, ge=0, description="attempts before an automated step fails (0: unlimited)"
    )
    activity_threads: int = Field(
        16, ge=1, le=512,
        description="threads a worker runs its (blocking, database) activities on: as many"
        " activities run at once",
    )  # fmt: skip
    workflow_sandbox: bool = Field(
        True,
        description="run workflows in Temporal's sandbox, which imports each run's workflow"
        " afresh and refuses calls that would break replay; false: none of that, for 16-35%"
        " less worker CPU (README, Benchmarks)",
    )
    shutdown_grace_seconds: float = Field(
        30.0, ge=0, description="how long a stopping worker lets running activities finish"
    )
    listen_host: Name = Field(
        "127.0.0.1", description="where metrics and health listen (0.0.0.0 in containers)"
    )
    metrics_port: Port = Field(9464, description="Prometheus metrics port (0: none)")
    health_port: Port = Field(8081, description="health endpoint port (0: none)")
    log_format: Literal["console", "json"] = Field(
        "console", description="console for people, json for services"
    )
    log_level: Level = Field("INFO", description="DEBUG, INFO, WARNING or ERROR")
    ui_port: Port = Field(8233, description="Web UI port of the dev server (and of links)")
    cluster_postgres_port: int = Field(
        55432, ge=1, le=65535, description="the cluster's PostgreSQL port (loopback)"
    )
    cluster_history_shards: int = Field(
        16, ge=1, le=4096, description="history shards of a new cluster"
    )
    cluster_ui_port: int = Field(
        8080, ge=1, le=65535, description="the cluster's Web UI server port"
    )
    # Temporal's client settings (TEMPORAL_*), not a VALUECHAIN_ variable.
    temporal: Connection = Field(default_factory=Connection, exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return sources(settings_cls, init_settings)

    @property
    def temporal_address(self) -> str:
        return self.temporal.address

    @property
    def namespace(self) -> str:
        return self.temporal.namespace

    @classmethod
    def env_fields(cls) -> list[str]:
        """The fields read from `VALUECHAIN_<FIELD>` variables."""
        return [name for name in cls.model_fields if name != "temporal"]

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.state_dir / 'records.db').resolve()}"

    @property
    def keys_dir(self) -> Path:
        """Where `make run` keeps the keys it makes for the local stack."""
        return self.state_dir / "keys"

    @property
    def tasklist_address(self) -> str:
        return self.tasklist_url.rstrip("/") or f"http://localhost:{self.tasklist_port}"

    @property
    def tasklist_key_paths(self) -> list[str]:
        given = [p.strip() for p in self.tasklist_key.split(",") if p.strip()]
        return given or [str(self.keys_dir / "tasklist.key")]

    @property
    def users_path(self) -> Path:
        return Path(self.users_file) if self.users_file else self.state_dir / "users.toml"

    @property
    def payload_keys_path(self) -> str:
        """The payload key file in use; empty when payloads are not encrypted."""
        if not self.encryption:
            return ""
        default = self.keys_dir / "payload-keys.toml"
        return self.payload_keys or (str(default) if default.exists() else "")

    @property
    def codec_url(self) -> str:
        return self.codec_endpoint.rstrip("/") or f"http://localhost:{self.codec_port}"

    @property
    def trust_path(self) -> str:
        default = self.keys_dir / "trust.toml"
        return self.trust_file or (str(default) if default.exists() else "")

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
        """Build settings from `VALUECHAIN_<FIELD>` variables and Temporal's own client
        settings; raise naming each bad variable and what is wrong with it."""
        env = os.environ if env is None else env
        try:
            connection = load_connection(env)
        except ConnectionSettingsError as err:
            raise SettingsError(str(err)) from None
        with reading(env):
            try:
                return cls(temporal=connection)
            except ValidationError as err:
                raise SettingsError(describe(err, env)) from None
