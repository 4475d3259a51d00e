"""The environment each process of the native cluster starts with: a Temporal service's,
read by the server's config template (config/valuechain.yaml); the SQL tool's, read by
schema.sh; the Web UI server's. docker-compose.yml gives its containers the same variables
(a test holds both to what the template and the script read)."""

from __future__ import annotations

import os
from pathlib import Path

from valuechain.cluster import tls
from valuechain.cluster.ports import Ports

HERE = Path(__file__).resolve().parent
CONFIG_DIR = HERE / "config"
CONFIG_ENV = "valuechain"  # the server's --env: the template it renders from CONFIG_DIR
TEMPLATE = CONFIG_DIR / f"{CONFIG_ENV}.yaml"
SCHEMA_SCRIPT = HERE / "schema.sh"
SERVICES = ("history-1", "history-2", "matching", "worker", "frontend")  # start order


def _path() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "")}


def server_env(
    service: str, ports: Ports, user: str, password: str, shards: int, tls_root: Path
) -> dict[str, str]:
    """A Temporal service process (one of SERVICES) on PostgreSQL as `user`, its ports
    from `ports`, mutual TLS from the layout at `tls_root`."""
    history = ports.history[1] if service == "history-2" else ports.history[0]
    return {
        **_path(),
        "LOG_LEVEL": "warn",  # the services log errors and warnings only
        "POSTGRES_SEEDS": "127.0.0.1",
        "DB_PORT": str(ports.postgres),
        "POSTGRES_USER": user,
        "POSTGRES_PWD": password,
        "NUM_HISTORY_SHARDS": str(shards),
        "BIND_ON_IP": "127.0.0.1",
        "BROADCAST_ADDRESS": "127.0.0.1",
        "TLS_DIR": str(tls_root),
        "DYNAMIC_CONFIG_FILE": str(CONFIG_DIR / "dynamicconfig.yaml"),
        "FRONTEND_GRPC_PORT": str(ports.frontend),
        "FRONTEND_HTTP_PORT": str(ports.frontend_http),
        "FRONTEND_MEMBERSHIP_PORT": str(ports.frontend_membership),
        "HISTORY_GRPC_PORT": str(history[0]),
        "HISTORY_MEMBERSHIP_PORT": str(history[1]),
        "MATCHING_GRPC_PORT": str(ports.matching[0]),
        "MATCHING_MEMBERSHIP_PORT": str(ports.matching[1]),
        "WORKER_GRPC_PORT": str(ports.worker[0]),
        "WORKER_MEMBERSHIP_PORT": str(ports.worker[1]),
    }


def sql_tool_env(sql_tool: Path, ports: Ports, user: str, password: str) -> dict[str, str]:
    """schema.sh, creating or migrating Temporal's two databases with the SQL tool."""
    return {
        **_path(),
        "TEMPORAL_SQL_TOOL": str(sql_tool),
        "SQL_PLUGIN": "postgres12",
        "SQL_HOST": "127.0.0.1",
        "SQL_PORT": str(ports.postgres),
        "SQL_USER": user,
        "SQL_PASSWORD": password,
    }


def ui_env(ports: Ports, namespace: str, layout: tls.Layout, codec_endpoint: str) -> dict[str, str]:
    """The Web UI server: the frontend over mutual TLS as the `ui` client; payloads
    decoded by `codec_endpoint` with the browser's cookies (empty: shown as stored)."""
    client = layout.client("ui")
    return {
        **_path(),
        "TEMPORAL_ADDRESS": ports.address,
        "TEMPORAL_UI_PORT": str(ports.ui),
        "TEMPORAL_UI_PUBLIC_PATH": "",
        "TEMPORAL_DEFAULT_NAMESPACE": namespace,
        "TEMPORAL_CORS_ORIGINS": ui_url(ports),
        "TEMPORAL_TLS_CA": str(layout.ca.cert),
        "TEMPORAL_TLS_CERT": str(client.cert),
        "TEMPORAL_TLS_KEY": str(client.key),
        "TEMPORAL_TLS_SERVER_NAME": tls.FRONTEND_NAME,
        "TEMPORAL_TLS_ENABLE_HOST_VERIFICATION": "true",
        "TEMPORAL_CODEC_ENDPOINT": codec_endpoint,
        "TEMPORAL_CODEC_INCLUDE_CREDENTIALS": "true" if codec_endpoint else "false",
    }


def ui_url(ports: Ports) -> str:
    return f"http://localhost:{ports.ui}"
