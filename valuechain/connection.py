"""Where Temporal is and how to reach it, by Temporal's own client settings
(`temporalio.envconfig`): `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`,
`TEMPORAL_TLS_*`, and profiles in a `temporal.toml` (`TEMPORAL_CONFIG_FILE`,
`TEMPORAL_PROFILE`). The same settings reach the dev server, the project's cluster with
mutual TLS, or Temporal Cloud; the `temporal` CLI reads them too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from temporalio.envconfig import ClientConfig
from temporalio.service import TLSConfig

DEFAULT_ADDRESS = "localhost:7233"
DEFAULT_NAMESPACE = "default"

# Settings of earlier versions and what replaced them: a stale one stops a command with
# the new name, rather than being silently ignored.
RETIRED = {
    "VALUECHAIN_TEMPORAL_ADDRESS": "TEMPORAL_ADDRESS",
    "VALUECHAIN_NAMESPACE": "TEMPORAL_NAMESPACE",
}


class ConnectionSettingsError(ValueError):
    """Temporal's client settings cannot be used; the message names the setting."""


@dataclass(frozen=True)
class Connection:
    """The arguments of `Client.connect` that say where and how: address, namespace,
    TLS (False, or certificates), API key and gRPC metadata."""

    address: str = DEFAULT_ADDRESS
    namespace: str = DEFAULT_NAMESPACE
    tls: bool | TLSConfig = False
    api_key: str | None = None
    rpc_metadata: Mapping[str, str] = field(default_factory=dict)

    def connect_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {"namespace": self.namespace, "tls": self.tls}
        if self.api_key:
            args["api_key"] = self.api_key
        if self.rpc_metadata:
            args["rpc_metadata"] = dict(self.rpc_metadata)
        return args

    @property
    def secure(self) -> bool:
        return self.tls is not False

    def refusal_hint(self) -> str:
        """Why a TLS connection may have been refused, from what the client holds: an
        expired or not yet valid client certificate, or no certificate at all."""
        if not isinstance(self.tls, TLSConfig):
            return ""
        if not self.tls.client_cert:
            return " (no client certificate is set: TEMPORAL_TLS_CLIENT_CERT_PATH)"
        from cryptography import x509  # only where a certificate is to be read

        try:
            cert = x509.load_pem_x509_certificate(self.tls.client_cert)
        except ValueError:
            return " (the client certificate is not a PEM certificate)"
        now = dt.datetime.now(dt.UTC)
        subject = cert.subject.rfc4514_string()
        if cert.not_valid_after_utc < now:
            return (
                f" (the client certificate {subject} expired on {cert.not_valid_after_utc:%c} UTC)"
            )
        if cert.not_valid_before_utc > now:
            start = cert.not_valid_before_utc
            return f" (the client certificate {subject} is not valid before {start:%c} UTC)"
        return ""


def load_connection(env: Mapping[str, str]) -> Connection:
    """Temporal's client settings from `env` (and the profile file it names, or the
    default `temporal.toml`); raise naming the setting that cannot be used."""
    for old, new in RETIRED.items():
        if env.get(old):
            raise ConnectionSettingsError(
                f"{old} is no longer read: set {new} (Temporal's own client setting) instead"
            )
    try:
        config = ClientConfig.load_client_connect_config(
            profile=env.get("TEMPORAL_PROFILE") or None,
            override_env_vars=dict(env),
        )
    except OSError as err:
        named = [k for k, v in env.items() if k.startswith("TEMPORAL_") and v == err.filename]
        where = named[0] if named else "a TEMPORAL_TLS_* setting"
        raise ConnectionSettingsError(f"{where}={err.filename}: {err.strerror}") from None
    except (RuntimeError, ValueError) as err:
        raise ConnectionSettingsError(f"Temporal client settings (TEMPORAL_*): {err}") from None
    return Connection(
        address=config.get("target_host") or DEFAULT_ADDRESS,
        namespace=config.get("namespace") or DEFAULT_NAMESPACE,
        tls=config.get("tls", False),
        api_key=config.get("api_key"),
        rpc_metadata=config.get("rpc_metadata") or {},
    )
