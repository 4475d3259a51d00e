"""`valuechain keys create|list`: the signing keys that prove who sent a decision or a
partner event, and the trust file runs take their public keys from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from cyclopts import App, Parameter
from pydantic import ValidationError

from starters import cli
from starters.cli import Failed, Json
from valuechain.codec import CodecError, add_payload_key
from valuechain.identity.keys import KeyFileError, load_trust, new_key, trust_key, write_key
from valuechain.models.common import KeyKind, TrustedKey
from valuechain.validation import describe_validation_error

KIND_HELP = (
    "tasklist (signs for who is signed in), admin (for anyone, recorded as theirs)"
    " or partner (carrier and bank events)"
)
app = App(name="keys", help="Make signing keys and list the keys runs trust.")


@app.command
def create(
    key_id: str,
    /,
    *,
    holder: Annotated[str, Parameter(help="who holds it: a person, the task list, a partner")],
    kind: Annotated[KeyKind, Parameter(help=KIND_HELP)],
    out: Annotated[Path, Parameter(help="the new key file (never overwritten)")],
    trust: Annotated[
        Path | None, Parameter(help="the trust file to add its public key to (default: none)")
    ] = None,
    as_json: Json = False,
) -> int:
    """Make an Ed25519 key file readable by its owner only; add its public key to a trust
    file, whose keys runs started afterwards accept (VALUECHAIN_TRUST_FILE)."""
    try:
        key = new_key(key_id, holder, kind)
        public = key.trusted()
    except ValidationError as err:
        raise Failed(describe_validation_error("key", err)) from err
    try:
        if trust is not None and trust.exists():
            load_trust(trust)  # a broken trust file: stop before writing anything
        write_key(out, key)
        if trust is not None:
            trust_key(trust, public)
    except KeyFileError as err:
        raise Failed(str(err)) from err
    if as_json:
        cli.print_json(public)
    else:
        added = f"; trusted in {trust}" if trust else ""
        cli.console().print(f"key {key_id} ({kind}, held by {holder}) written to {out}{added}")
    return 0


@app.command(name="list")
def list_(
    *,
    trust: Annotated[
        Path | None, Parameter(help="the trust file (default: VALUECHAIN_TRUST_FILE's)")
    ] = None,
    as_json: Json = False,
) -> int:
    """The keys a trust file lists: id, kind, holder."""
    path = str(trust) if trust else cli.load_settings().trust_path
    if not path:
        raise Failed("no trust file: give --trust or set VALUECHAIN_TRUST_FILE")
    try:
        keys: list[TrustedKey] = load_trust(path).keys
    except KeyFileError as err:
        raise Failed(str(err)) from err
    if as_json:
        cli.print_json(keys)
        return 0
    shown = cli.table(f"trusted in {path}", "key", "kind", "holder")
    for k in keys:
        shown.add_row(k.key_id, k.kind, k.holder)
    cli.console().print(shown)
    return 0


@app.command(name="payload-key")
def payload_key(
    key_id: str,
    /,
    *,
    file: Annotated[
        Path | None,
        Parameter(
            help="the payload key file (default: VALUECHAIN_PAYLOAD_KEYS, or keys/ in"
            " the state folder)"
        ),
    ] = None,
) -> int:
    """Make a new payload encryption key and make it the primary: payloads are encrypted
    with it from now on (restart the workers and commands); the older keys stay in the
    file to decrypt what they encrypted."""
    settings = cli.load_settings()
    path = file or Path(settings.payload_keys or settings.keys_dir / "payload-keys.toml")
    try:
        keys = add_payload_key(path, key_id)
    except CodecError as err:
        raise Failed(str(err)) from err
    cli.console().print(
        f"payload key {key_id} is the primary in {path} (keys: {', '.join(sorted(keys.keys))})"
    )
    return 0
