"""Mutual TLS at the frontend: only certificates from the cluster's CA get in. A client
with none, with one from another CA, or with an expired one is refused, and the commands
say why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from tests.helpers.cli import cli_env, run_cli, run_temporal_cli
from valuechain import search
from valuechain.client import ConnectError, connect
from valuechain.cluster import tls
from valuechain.cluster.topology import Cluster
from valuechain.connection import Connection
from valuechain.settings import Settings

pytestmark = pytest.mark.cluster


def with_tls(cluster: Cluster, cert: tls.Issued | None) -> Settings:
    config = TLSConfig(
        server_root_ca_cert=cluster.tls.ca.cert.read_bytes(),
        domain=tls.FRONTEND_NAME,
        client_cert=cert.cert.read_bytes() if cert else None,
        client_private_key=cert.key.read_bytes() if cert else None,
    )
    return Settings(temporal=Connection(address=cluster.ports.address, tls=config))


def tls_env(cluster: Cluster, cert: tls.Issued) -> dict[str, str]:
    """A command's environment with Temporal's own TLS settings, no profile."""
    env = cli_env(cluster.ports.address, "unused", "sqlite://")
    env.update(
        TEMPORAL_TLS_SERVER_CA_CERT_PATH=str(cluster.tls.ca.cert),
        TEMPORAL_TLS_SERVER_NAME=tls.FRONTEND_NAME,
        TEMPORAL_TLS_CLIENT_CERT_PATH=str(cert.cert),
        TEMPORAL_TLS_CLIENT_KEY_PATH=str(cert.key),
    )
    return env


async def test_a_client_certificate_of_the_cluster_gets_in(cluster: Cluster) -> None:
    client = await connect(with_tls(cluster, cluster.tls.client("commands")))
    assert (await client.count_workflows(f'{search.STAGE.name}="-"')).count == 0


async def test_a_client_without_a_certificate_is_refused(cluster: Cluster) -> None:
    with pytest.raises(ConnectError) as refused:
        await connect(with_tls(cluster, None))
    assert "no client certificate is set" in str(refused.value)
    plain = Settings(temporal=Connection(address=cluster.ports.address))
    with pytest.raises(ConnectError, match=f"cannot reach Temporal at {cluster.ports.address}"):
        await connect(plain)
    # The temporal CLI with the CA but no certificate of its own.
    ran = await run_temporal_cli(
        "workflow", "list", "--address", cluster.ports.address, "--tls-ca-path",
        str(cluster.tls.ca.cert), "--tls-server-name", tls.FRONTEND_NAME,
    )  # fmt: skip
    assert ran.code != 0
    assert "failed reaching server" in ran.err, ran.err


async def test_a_certificate_from_another_ca_is_refused(cluster: Cluster, tmp_path: Path) -> None:
    other = tls.Layout(tmp_path)
    tls.make_ca(other.ca, "Some other CA")
    intruder = other.client("intruder")
    tls.issue(other.ca, intruder, "valuechain-commands", client=True)  # the same name
    with pytest.raises(ConnectError):
        await connect(with_tls(cluster, intruder))
    ran = await run_cli("tasks", "list", env=tls_env(cluster, intruder))
    assert ran.code == 1
    assert f"cannot reach Temporal at {cluster.ports.address} over TLS" in ran.err


async def test_an_expired_certificate_is_refused_saying_so(
    cluster: Cluster, tmp_path: Path
) -> None:
    expired = tls.Issued(tmp_path / "expired.pem", tmp_path / "expired.key")
    now = dt.datetime.now(dt.UTC)
    month_ago, yesterday = now - dt.timedelta(days=30), now - dt.timedelta(days=1)
    tls.issue(cluster.tls.ca, expired, "valuechain-commands", client=True,
              not_before=month_ago, not_after=yesterday)  # fmt: skip
    ran = await run_cli("tasks", "list", env=tls_env(cluster, expired))
    assert ran.code == 1
    assert "the client certificate CN=valuechain-commands expired on" in ran.err, ran.err
    # The same command with the cluster's own certificate gets in.
    ran = await run_cli("tasks", "list", env=tls_env(cluster, cluster.tls.client("commands")))
    assert ran.code == 0, ran.err
