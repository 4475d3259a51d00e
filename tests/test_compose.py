"""docker-compose.yml's cluster runs what `make cluster` runs natively (and CI tests):
the same server config template, schema script, namespace and search-attribute set-up,
certificate layout, and image tags of the versions the project builds. (`make test`
also has Debian's compose parser read the file in every profile.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from valuechain import search
from valuechain.cluster import binaries, environments, tls
from valuechain.cluster.ports import Ports

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return dict(compose["services"])


def cluster_services(services: dict[str, Any]) -> dict[str, Any]:
    return {n: s for n, s in services.items() if "cluster" in s.get("profiles", [])}


def test_the_server_runs_the_repository_template_in_every_service(
    services: dict[str, Any],
) -> None:
    temporal = {n: s for n, s in cluster_services(services).items() if "temporal-server" in str(s)}
    names = {s["environment"]["SERVICE"] for s in temporal.values()}
    assert names == {"frontend", "history", "matching", "worker"}
    assert sorted(s["environment"]["SERVICE"] for s in temporal.values()).count("history") == 2
    mount = f"./{environments.CONFIG_DIR.relative_to(ROOT)}:/etc/temporal/config:ro"
    for name, service in temporal.items():
        assert service["image"] == f"temporalio/server:{binaries.SERVER_VERSION}", name
        assert mount in service["volumes"], name
        assert f"--env {environments.CONFIG_ENV}" in " ".join(service["command"]), name
        assert service["environment"]["TLS_DIR"] == "/certs", name
    ui = services["temporal-ui"]
    assert ui["image"] == f"temporalio/ui:{binaries.UI_SERVER_VERSION}"


def test_schema_namespace_and_certificates_come_from_the_project(
    services: dict[str, Any],
) -> None:
    schema = services["temporal-schema"]
    assert (
        f"./{environments.SCHEMA_SCRIPT.relative_to(ROOT)}:/valuechain/schema.sh:ro"
        in schema["volumes"]
    )
    assert schema["entrypoint"] == ["/bin/sh", "/valuechain/schema.sh"]
    for setup in ("temporal-setup", "temporal-setup-laptop"):
        assert services[setup]["command"][:3] == ["python", "-m", "valuechain.cluster.setup"]
    assert services["cluster-tls"]["command"][:4] == [
        "python", "-m", "valuechain.cluster.tls", "/certs",
    ]  # fmt: skip


def test_search_attributes_are_listed_once_in_the_code() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for key in search.ALL:
        assert key.name not in text, f"{key.name}: a second list in docker-compose.yml"


def test_every_certificate_path_is_in_the_layout(services: dict[str, Any]) -> None:
    """Each path a container reads under /certs is one valuechain.cluster.tls makes."""
    layout = tls.Layout(Path("/certs"))
    made = {str(layout.ca.cert), str(layout.frontend.cert), str(layout.internode.cert)}
    for kind in tls.CLIENTS:
        made |= {str(layout.client(kind).cert), str(layout.client(kind).key)}
    used = set()
    for service in services.values():
        env = service.get("environment") or {}
        used |= {v for v in env.values() if isinstance(v, str) and v.startswith("/certs/")}
    assert used
    assert used <= made, sorted(used - made)


def test_every_client_encrypts_with_the_key_file_made_once(services: dict[str, Any]) -> None:
    """Each Valuechain container that sends business data reads the one payload key file
    (made by the `payload-key` one-off before it starts); the Web UI decodes through the
    codec server with the browser's sign-in."""
    encrypting = {
        name
        for name, service in services.items()
        if service.get("environment", {}).get("VALUECHAIN_PAYLOAD_KEYS")
        and service["environment"].get("VALUECHAIN_ENCRYPTION") != "false"
        and name != "payload-key"
    }
    assert {"worker-orders", "worker-orders-laptop", "tasklist", "orders", "codec-server"} <= (
        encrypting
    )
    for name in encrypting:
        volumes = services[name].get("volumes", [])
        assert any(v.startswith("valuechain-keys:/keys") for v in volumes), name
        assert "payload-key" in services[name]["depends_on"], name
    ui = services["temporal-ui"]["environment"]
    assert ui["TEMPORAL_CODEC_ENDPOINT"] == "http://localhost:8091"
    assert ui["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"
    assert "--ui-codec-endpoint=http://localhost:8091" in services["temporal-dev"]["command"]


def test_workers_load_a_bare_runs_context_from_the_starters_trust_file(
    services: dict[str, Any],
) -> None:
    """A run started with its request alone (a schedule, the Web UI) gets its trusted
    keys from its worker: the same trust file the task list and the orders starter write."""
    writers = {
        services[name]["environment"]["VALUECHAIN_TRUST_FILE"] for name in ("tasklist", "orders")
    }
    assert writers == {"/keys/trust.toml"}
    workers = [
        n for n, s in services.items() if s.get("command", [])[:2] == ["valuechain", "worker"]
    ]
    assert len(workers) == 6
    for name in workers:
        assert services[name]["environment"]["VALUECHAIN_TRUST_FILE"] == "/keys/trust.toml", name
        assert "valuechain-keys:/keys:ro" in services[name]["volumes"], name


def test_every_variable_a_temporal_service_is_given_is_one_the_template_reads(
    services: dict[str, Any],
) -> None:
    """The template falls back to a default for each variable it reads, so a misspelt
    or stale name would change nothing, silently: each variable a Temporal service is
    given, natively or in compose, is one the template reads (compose's SERVICE names the
    service on the command line)."""
    read = set(re.findall(r'env "([A-Z_]+)"', environments.TEMPLATE.read_text()))
    ports = Ports.standard(7233, 5432, 8080)
    for name in environments.SERVICES:
        given = environments.server_env(name, ports, "valuechain", "secret", 4, Path("/certs"))
        unread = set(given) - {"PATH"} - read
        assert not unread, f"{name}: {sorted(unread)}"
    temporal = {n: s for n, s in cluster_services(services).items() if "temporal-server" in str(s)}
    assert temporal
    for name, service in temporal.items():
        unread = set(service["environment"]) - {"SERVICE"} - read
        assert not unread, f"{name}: {sorted(unread)}"
