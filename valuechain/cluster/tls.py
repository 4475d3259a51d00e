"""The cluster's private certificate authority and the certificates it issues, made at
set-up under the state folder (never committed).

Layout of the TLS folder (the server config template and docker-compose.yml expect it):

  ca.pem, ca.key               the cluster's CA (the only one the server trusts)
  frontend.pem, frontend.key   the frontend's server certificate
  internode.pem, internode.key between the server's own services (server and client)
  clients/<name>.pem, .key     one client certificate per kind of client: workers,
                               commands (starters, people, report), cli, ui

`ensure_certificates` is idempotent: what exists and stays valid for a while is kept, what
is missing or about to expire is issued again (all of it when the CA is new).

python -m valuechain.cluster.tls DIR [HOSTNAME ...] makes them (docker-compose.yml runs
this, with --shared-volume).
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from valuechain.private import write_private

CLIENTS = ("workers", "commands", "cli", "ui")
FRONTEND_NAME = "temporal-frontend"  # the name clients verify the frontend by
INTERNODE_NAME = "temporal-internode"  # likewise between the server's services
CA_DAYS = 3650
LEAF_DAYS = 365
RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class Issued:
    cert: Path
    key: Path


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def ca(self) -> Issued:
        return Issued(self.root / "ca.pem", self.root / "ca.key")

    @property
    def frontend(self) -> Issued:
        return Issued(self.root / "frontend.pem", self.root / "frontend.key")

    @property
    def internode(self) -> Issued:
        return Issued(self.root / "internode.pem", self.root / "internode.key")

    def client(self, name: str) -> Issued:
        return Issued(self.root / "clients" / f"{name}.pem", self.root / "clients" / f"{name}.key")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    write_private(
        path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _load(issued: Issued) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None:
    try:
        cert = x509.load_pem_x509_certificate(issued.cert.read_bytes())
        key = serialization.load_pem_private_key(issued.key.read_bytes(), password=None)
    except (OSError, ValueError):
        return None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        return None
    return cert, key


def _fresh(cert: x509.Certificate) -> bool:
    return cert.not_valid_after_utc - _now() > RENEW_BEFORE


# A CA signs certificates and revocation lists, and nothing else.
_KEY_USAGES = ("digital_signature", "content_commitment", "key_encipherment",
               "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
               "encipher_only", "decipher_only")  # fmt: skip
CA_KEY_USAGE = x509.KeyUsage(
    **{u: u in {"digital_signature", "key_cert_sign", "crl_sign"} for u in _KEY_USAGES}
)


def make_ca(issued: Issued, common_name: str = "Valuechain cluster CA") -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_key(issued.key, key)
    _write_cert(issued.cert, cert)


def issue(
    ca: Issued,
    out: Issued,
    common_name: str,
    hostnames: Sequence[str] = (),
    server: bool = False,
    client: bool = False,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
) -> None:
    """Issue a certificate signed by `ca` for a server (names in `hostnames`), a client,
    or both. `not_before`/`not_after` default to now and a year on (tests pass an expired
    window)."""
    loaded = _load(ca)
    if loaded is None:
        raise FileNotFoundError(f"no CA at {ca.cert}")
    ca_cert, ca_key = loaded
    key = ec.generate_private_key(ec.SECP256R1())
    start = not_before or _now() - dt.timedelta(minutes=5)
    end = not_after or _now() + dt.timedelta(days=LEAF_DAYS)
    usages = [ExtendedKeyUsageOID.SERVER_AUTH] * server + [ExtendedKeyUsageOID.CLIENT_AUTH] * client
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if hostnames:
        alt: list[x509.GeneralName] = []
        for host in hostnames:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                alt.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    _write_key(out.key, key)
    _write_cert(out.cert, cert)


def ensure_certificates(root: Path, hostnames: Sequence[str] = ()) -> Layout:
    """The CA, the server's certificates (valid for localhost, 127.0.0.1, the fixed
    service names and `hostnames`) and one client certificate per kind of client."""
    layout = Layout(root)
    root.mkdir(parents=True, exist_ok=True)
    ca = _load(layout.ca)
    new_ca = ca is None or not _fresh(ca[0])
    if new_ca:
        make_ca(layout.ca)
    names = ["localhost", "127.0.0.1", *hostnames]
    wanted = [
        (layout.frontend, FRONTEND_NAME, [FRONTEND_NAME, *names], True, False),
        (layout.internode, INTERNODE_NAME, [INTERNODE_NAME, *names], True, True),
        *((layout.client(c), f"valuechain-{c}", [], False, True) for c in CLIENTS),
    ]
    for out, cn, hosts, server, client in wanted:
        current = _load(out)
        if new_ca or current is None or not _fresh(current[0]) or not _covers(current[0], hosts):
            issue(layout.ca, out, cn, hosts, server=server, client=client)
    return layout


def _covers(cert: x509.Certificate, hostnames: Sequence[str]) -> bool:
    """Whether a server certificate names every host wanted now (a new host name in the
    settings issues it again)."""
    if not hostnames:
        return True
    try:
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    have = {str(v) for v in alt.get_values_for_type(x509.DNSName)}
    have |= {str(v) for v in alt.get_values_for_type(x509.IPAddress)}
    return set(hostnames) <= have


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        prog="python -m valuechain.cluster.tls",
        description="Make (or renew) the cluster's CA and certificates in DIR.",
    )
    p.add_argument("dir", type=Path, help="the TLS folder (its layout: see the module)")
    p.add_argument("hostnames", nargs="*", help="more names the server certificates carry")
    p.add_argument(
        "--shared-volume",
        action="store_true",
        help="keys readable by every user of DIR: for a volume that containers running as"
        " different users share (docker-compose.yml); never for a folder on a host",
    )
    args = p.parse_args(argv)
    layout = ensure_certificates(args.dir, args.hostnames)
    if args.shared_volume:
        for key in args.dir.rglob("*.key"):
            if key != layout.ca.key:  # the CA's key stays with whoever issues
                key.chmod(0o644)
        for folder in (args.dir, args.dir / "clients"):
            folder.chmod(0o755)
    print(f"certificates in {layout.root}: CA, frontend, internode, clients {', '.join(CLIENTS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
