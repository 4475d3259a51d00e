"""Signing a message and checking its signature: pure functions, deterministic, so the
workflow's validators run them (`cryptography`'s Ed25519) and tests run them alone.

What is signed: the key id, workflow id, subject and time in the clear (so a refusal can
say which one is wrong), and the SHA-256 of the message's canonical JSON without its
signature (so any changed field, a comment or an attachment, breaks it)."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from valuechain.models.common import KeyKind, Model, Signature, Trust, TrustedKey

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def digest(message: Model) -> str:
    """The message's fields as canonical JSON (sorted keys, no signature), hashed."""
    fields = message.model_dump(mode="json", exclude={"signature"})
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(key_id: str, workflow_id: str, subject: str, signed_at: datetime, sha: str) -> bytes:
    # The time as whole microseconds since the epoch: the same number on both sides,
    # whatever offset or spelling the JSON gave it.
    micros = (signed_at - EPOCH) // timedelta(microseconds=1)
    fields = ["valuechain-signature-v1", key_id, workflow_id, subject, micros, sha]
    return json.dumps(fields, separators=(",", ":")).encode()


def sign(
    key: Ed25519PrivateKey,
    key_id: str,
    workflow_id: str,
    subject: str,
    message: Model,
    now: datetime,
) -> Signature:
    value = key.sign(_claim(key_id, workflow_id, subject, now, digest(message)))
    return Signature(
        key_id=key_id,
        workflow_id=workflow_id,
        subject=subject,
        signed_at=now,
        value=base64.b64encode(value).decode(),
    )


def public_key_text(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def signature_refusal(
    signature: Signature | None,
    message: Model,
    workflow_id: str,
    subject: str,
    trust: Trust,
    now: datetime,
    what: str = "decision",
    kinds: tuple[KeyKind, ...] = ("tasklist", "admin"),
) -> tuple[str | None, TrustedKey | None]:
    """Why the signed message may not be accepted (None when it may), and the key that
    signed it. `subject` is what this message must be for: a task id, an update name;
    `kinds` are the keys that may sign it."""
    if signature is None:
        return f"unsigned {what}: it must be signed by a key this run trusts", None
    key = trust.key(signature.key_id)
    if key is None:
        trusted = ", ".join(k.key_id for k in trust.keys) or "none"
        why = f"signed with key '{signature.key_id}', which this run does not trust"
        return f"{why} (trusted: {trusted})", None
    if key.kind not in kinds:
        return (
            f"key '{key.key_id}' is a {key.kind} key; a {what} needs a {' or '.join(kinds)} key",
            key,
        )
    return _refusal(signature, key, message, workflow_id, subject, trust, now, what), key


def _refusal(
    signature: Signature,
    key: TrustedKey,
    message: Model,
    workflow_id: str,
    subject: str,
    trust: Trust,
    now: datetime,
    what: str,
) -> str | None:
    if signature.workflow_id != workflow_id:
        return f"signed for workflow '{signature.workflow_id}', not this one"
    if signature.subject != subject:
        return f"signed for '{signature.subject}', not '{subject}'"
    if signature.signed_at.tzinfo is None:
        return "the signature's time has no time zone"
    age = (now - signature.signed_at).total_seconds()
    limit = trust.max_age.total_seconds()
    if age > limit:
        return f"the signature is {age:.0f}s old; at most {limit:.0f}s is accepted"
    if -age > trust.max_skew.total_seconds():
        return f"signed {-age:.0f}s in the future"
    claim = _claim(key.key_id, workflow_id, subject, signature.signed_at, digest(message))
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
        public.verify(base64.b64decode(signature.value, validate=True), claim)
    except (InvalidSignature, ValueError):
        return f"bad signature: the {what} is not what key '{key.key_id}' signed"
    return None
