"""Business data encrypted before it reaches Temporal: a payload codec (AES-256-GCM, the
`cryptography` package) that every client and worker composes with the pydantic data
converter. Each encrypted payload names its key in its metadata, so a key rotation keeps
older histories readable: one key is primary (encrypts), the others still decrypt.

A payload whose key is missing raises `MissingKeyError` naming the key id; in a worker
that fails the workflow task, which Temporal retries, never the workflow: supply the key
and the run goes on. Payloads that are not encrypted (histories from before encryption)
pass through as they are."""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import tomli_w
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from temporalio.api.common.v1 import Payload
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

from valuechain.datafiles import read_toml
from valuechain.models.common import Login
from valuechain.private import write_private
from valuechain.validation import describe_validation_error

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class CodecError(Exception):
    """An encrypted payload that cannot be read, or a key file that cannot be used."""


class MissingKeyError(CodecError):
    def __init__(self, key_id: str) -> None:
        super().__init__(
            f"payload encrypted with key '{key_id}', which this process does not have:"
            " add it to the payload key file (older keys stay there after a rotation)"
        )
        self.key_id = key_id


class PayloadKeys(BaseModel):
    """The key file: which key encrypts, and every key that may still decrypt."""

    primary: Login
    keys: dict[Login, str] = Field(min_length=1)  # key id: base64 of 32 bytes

    @field_validator("keys")
    @classmethod
    def _aes_256(cls, keys: dict[str, str]) -> dict[str, str]:
        for key_id, text in keys.items():
            try:
                raw = base64.b64decode(text, validate=True)
            except ValueError as err:
                raise ValueError(f"key '{key_id}' is not base64") from err
            if len(raw) != 32:
                raise ValueError(f"key '{key_id}' has {len(raw)} bytes; AES-256 needs 32")
        return keys

    @model_validator(mode="after")
    def _primary_is_a_key(self) -> PayloadKeys:
        if self.primary not in self.keys:
            raise ValueError(f"the primary key '{self.primary}' is not among the keys")
        return self


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: PayloadKeys) -> None:
        self._primary = keys.primary
        self._ciphers = {k: AESGCM(base64.b64decode(v)) for k, v in keys.keys.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        cipher = self._ciphers[self._primary]
        key_id = self._primary.encode()
        encoded = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            # The key id is authenticated too: a payload cannot be passed off as another
            # key's.
            sealed = cipher.encrypt(nonce, payload.SerializeToString(), key_id)
            encoded.append(
                Payload(metadata={"encoding": ENCODING, KEY_ID: key_id}, data=nonce + sealed)
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)  # written before encryption was on
                continue
            key_id = payload.metadata.get(KEY_ID, b"").decode()
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise MissingKeyError(key_id)
            nonce, sealed = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
            try:
                plain = cipher.decrypt(nonce, sealed, key_id.encode())
            except InvalidTag as err:
                raise CodecError(f"payload under key '{key_id}' fails its check") from err
            decoded.append(Payload.FromString(plain))
        return decoded


def load_payload_keys(path: str | Path) -> PayloadKeys:
    data = read_toml(path, "payload key file", CodecError)
    try:
        return PayloadKeys.model_validate(data)
    except ValidationError as err:
        raise CodecError(describe_validation_error(f"payload key file {path}", err)) from err


def add_payload_key(path: Path, key_id: str) -> PayloadKeys:
    """Make a new key and make it the primary (the file is made if missing, readable by
    its owner only); the keys already there stay, to decrypt what they encrypted."""
    keys = load_payload_keys(path) if path.exists() else None
    if keys is not None and key_id in keys.keys:
        raise CodecError(f"payload key file {path}: key '{key_id}' is there already")
    fresh = base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()
    try:
        updated = PayloadKeys(primary=key_id, keys={**(keys.keys if keys else {}), key_id: fresh})
    except ValidationError as err:
        raise CodecError(describe_validation_error("payload key", err)) from err
    write_private(path, tomli_w.dumps(updated.model_dump()).encode())
    return updated


def ensure_payload_keys(path: Path, key_id: str = "k1") -> bool:
    """The local stack's payload key file, made with one key when missing; True if made."""
    if path.exists():
        return False
    add_payload_key(path, key_id)
    return True


def encrypting(converter: DataConverter, keys: PayloadKeys) -> DataConverter:
    """`converter` with the codec on every payload, failure messages and stack traces
    included (encoded into the failure's attributes, so they are encrypted too)."""
    return dataclasses.replace(
        converter,
        payload_codec=EncryptionCodec(keys),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
