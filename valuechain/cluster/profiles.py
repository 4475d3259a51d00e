"""The cluster's Temporal client profiles (`temporal.toml`): one per kind of client, each
with the frontend's address, the namespace and that client's certificate. The `temporal`
CLI and every project client read them through Temporal's own settings."""

from __future__ import annotations

from pathlib import Path

from valuechain.cluster import tls


def client_env(profile_file: Path, kind: str) -> dict[str, str]:
    """What selects a kind of client's profile (workers, commands, cli, ui)."""
    if kind not in tls.CLIENTS:
        raise ValueError(f"no client certificate for {kind!r}")
    return {"TEMPORAL_CONFIG_FILE": str(profile_file), "TEMPORAL_PROFILE": f"cluster-{kind}"}


def write(profile_file: Path, address: str, namespace: str, layout: tls.Layout) -> None:
    """One profile per kind of client: the address, namespace and its certificate."""
    lines = ["# Written by `make cluster`: Temporal client profiles for the cluster.\n"]
    for kind in tls.CLIENTS:
        client = layout.client(kind)
        lines += [
            f"[profile.cluster-{kind}]",
            f'address = "{address}"',
            f'namespace = "{namespace}"',
            f"[profile.cluster-{kind}.tls]",
            f'server_name = "{tls.FRONTEND_NAME}"',
            f'server_ca_cert_path = "{layout.ca.cert}"',
            f'client_cert_path = "{client.cert}"',
            f'client_key_path = "{client.key}"',
            "",
        ]
    profile_file.write_text("\n".join(lines))
