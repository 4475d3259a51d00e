"""Key files: a signing key (TOML: key id, holder, kind and the Ed25519 private key as
PEM, readable by its owner only) and the trust file (TOML: the public keys a run accepts).
Every error names the file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import tomli_w
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from pydantic import BaseModel, Field, ValidationError

from valuechain.datafiles import read_toml
from valuechain.identity.signing import public_key_text, sign
from valuechain.models.common import KeyKind, Login, Model, Signature, Trust, TrustedKey
from valuechain.private import write_private
from valuechain.validation import describe_validation_error

M = TypeVar("M", bound=BaseModel)


# A message that carries a `signature` field (a decision, a partner's event).
Signed = TypeVar("Signed", bound=Model)


class KeyFileError(Exception):
    """A key or trust file that cannot be used, with the file and the reason."""


class _KeyFile(BaseModel):
    key_id: Login
    holder: str = Field(min_length=1, max_length=120)
    kind: KeyKind
    private_key: str = Field(min_length=1)


class _TrustFile(BaseModel):
    keys: list[TrustedKey] = []


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    holder: str
    kind: KeyKind
    private: Ed25519PrivateKey

    def trusted(self) -> TrustedKey:
        """The public half, as a trust file lists it."""
        return TrustedKey(
            key_id=self.key_id,
            holder=self.holder,
            kind=self.kind,
            public_key=public_key_text(self.private),
        )

    def sign(self, workflow_id: str, subject: str, message: Model, now: datetime) -> Signature:
        return sign(self.private, self.key_id, workflow_id, subject, message, now)

    def signed(self, workflow_id: str, subject: str, message: Signed) -> Signed:
        """`message` as a sender sends it: its signature for this run and subject, now."""
        signature = self.sign(workflow_id, subject, message, datetime.now(UTC))
        return message.model_copy(update={"signature": signature})


def new_key(key_id: str, holder: str, kind: KeyKind) -> SigningKey:
    return SigningKey(key_id, holder, kind, Ed25519PrivateKey.generate())


def write_key(path: Path, key: SigningKey) -> None:
    """Write a new key file, readable by its owner only; never over an existing one."""
    pem = key.private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    text = tomli_w.dumps(
        {"key_id": key.key_id, "holder": key.holder, "kind": key.kind, "private_key": pem.decode()}
    )
    try:
        write_private(path, text.encode(), replace=False)
    except FileExistsError as err:
        raise KeyFileError(f"key file {path} exists already; it is not replaced") from err
    except OSError as err:
        raise KeyFileError(f"key file {path}: {err.strerror}") from err


def load_key(path: str | Path) -> SigningKey:
    data = _validated(_KeyFile, read_toml(path, "key file", KeyFileError), f"key file {path}")
    try:
        private = load_pem_private_key(data.private_key.encode(), password=None)
    except (ValueError, TypeError) as err:
        raise KeyFileError(f"key file {path}: private_key is not a PEM private key") from err
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyFileError(f"key file {path}: private_key is not an Ed25519 key")
    return SigningKey(data.key_id, data.holder, data.kind, private)


def load_trust(path: str | Path) -> Trust:
    """The trust file's keys (no file named: no key, so every signed message is refused)."""
    if not str(path):
        return Trust()
    data = _validated(_TrustFile, read_toml(path, "trust file", KeyFileError), f"trust file {path}")
    ids = [k.key_id for k in data.keys]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise KeyFileError(f"trust file {path}: key id listed twice: {', '.join(twice)}")
    return Trust(keys=data.keys)


def trust_key(path: Path, key: TrustedKey) -> None:
    """Add a public key to the trust file (made if missing); a key id it lists already with
    another key is refused."""
    keys = load_trust(path).keys if path.exists() else []
    known = next((k for k in keys if k.key_id == key.key_id), None)
    if known == key:
        return
    if known is not None:
        raise KeyFileError(f"trust file {path}: key id '{key.key_id}' is there with another key")
    listed = [k.model_dump() for k in [*keys, key]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps({"keys": listed}))


def _validated(model: type[M], data: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise KeyFileError(describe_validation_error(what, err)) from err


# The keys `make run` and `make cluster` make for the local stack: the task list's (the
# demo's people decide through it), an administrator's (`valuechain tasks decide --key`),
# and the partners' (the demo's carrier and bank).
LOCAL_KEYS: dict[str, tuple[str, KeyKind]] = {
    "tasklist": ("tasklist", "tasklist"),
    "admin": ("admin", "admin"),
    "partners": ("demo partners", "partner"),
}


def ensure_local_keys(folder: Path) -> dict[str, Path]:
    """The local stack's key files in `folder` (`<name>.key`, made once) and its trust
    file (`trust.toml`) listing them."""
    paths = {name: folder / f"{name}.key" for name in LOCAL_KEYS}
    for name, path in paths.items():
        if not path.exists():
            holder, kind = LOCAL_KEYS[name]
            write_key(path, new_key(f"local-{name}", holder, kind))
        trust_key(folder / "trust.toml", load_key(path).trusted())
    return paths
