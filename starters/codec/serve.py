"""`valuechain codec-server`: the codec server for the Web UI and the `temporal` CLI,
with the payload key file and a bearer token from the settings."""

from __future__ import annotations

from typing import Annotated

from cyclopts import Parameter

from starters.cli import Failed, app, load_settings
from starters.codec.server import TaskListSessions, build_codec_app
from starters.http import serve
from starters.tasklist.auth import session_secret
from valuechain.codec import CodecError, EncryptionCodec, load_payload_keys
from valuechain.private import secret_made_once
from valuechain.runcontext import load_roster
from valuechain.settings import Settings, SettingsError


def codec_token(settings: Settings) -> str:
    """The token callers must give: the setting's, or one made once in the state folder
    (readable by its owner only)."""
    return settings.codec_token or secret_made_once(settings.state_dir / "codec-token")


@app.command(name="codec-server")
def codec_server(
    *, port: Annotated[int | None, Parameter(help="default: VALUECHAIN_CODEC_PORT")] = None
) -> int:
    """Serve /encode and /decode over the payload codec for the Web UI and the temporal
    CLI: callers give `Authorization: Bearer <token>` (VALUECHAIN_CODEC_TOKEN, or the
    state folder's codec-token), or are signed in to the task list; browsers only from
    VALUECHAIN_CODEC_ORIGINS."""
    settings = load_settings()
    if not settings.payload_keys_path:
        raise Failed("payloads are not encrypted here: no payload key file (see keys payload-key)")
    try:
        keys = load_payload_keys(settings.payload_keys_path)
        roster = load_roster(settings.roster_file)
    except (CodecError, SettingsError) as err:
        raise Failed(str(err)) from err
    origins = [o.strip() for o in settings.codec_origins.split(",") if o.strip()]
    people = TaskListSessions(settings, roster, session_secret(settings))
    codec_app = build_codec_app(EncryptionCodec(keys), codec_token(settings), origins, people)
    return serve(codec_app, settings, port or settings.codec_port)
