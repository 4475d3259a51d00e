"""The codec server as the Web UI calls it: a bearer token or 401; CORS for the UI's
origin only; `/encode` and `/decode` in Temporal's JSON form, round-tripping with the
project's codec; a payload whose key it lacks is refused, naming the key."""

from __future__ import annotations

import base64
import signal
from pathlib import Path

import httpx
import pytest

from starters.codec.server import build_codec_app
from tests.helpers import App
from tests.helpers.cli import free_port, run_cli, spawn
from tests.helpers.tasklist import until_healthy
from valuechain.codec import EncryptionCodec, PayloadKeys, add_payload_key

UI = "http://localhost:8233"
TOKEN = "s3cret-token-for-the-test"


def client(keys: PayloadKeys) -> httpx.AsyncClient:
    app = build_codec_app(EncryptionCodec(keys), TOKEN, [UI])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codec")


def plain(text: str) -> dict[str, object]:
    return {
        "metadata": {"encoding": base64.b64encode(b"json/plain").decode()},
        "data": base64.b64encode(text.encode()).decode(),
    }


@pytest.fixture
def keys(tmp_path: Path) -> PayloadKeys:
    return add_payload_key(tmp_path / "keys.toml", "k1")


async def test_encode_then_decode_with_the_token(keys: PayloadKeys) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "X-Namespace": "default"}
    async with client(keys) as http:
        sealed = await http.post("/encode", json={"payloads": [plain('"alice"')]}, headers=auth)
        assert sealed.status_code == 200
        [payload] = sealed.json()["payloads"]
        assert b"alice" not in base64.b64decode(payload["data"])
        opened = await http.post("/decode", json=sealed.json(), headers=auth)
    assert opened.json() == {"payloads": [plain('"alice"')]}


async def test_refusals(keys: PayloadKeys, tmp_path: Path) -> None:
    async with client(keys) as http:
        body = {"payloads": [plain("1")]}
        assert (await http.post("/decode", json=body)).status_code == 401
        wrong = {"Authorization": "Bearer guess"}
        assert (await http.post("/decode", json=body, headers=wrong)).status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        bad = await http.post("/decode", json={"items": []}, headers=auth)
        assert bad.status_code == 400
        other = add_payload_key(tmp_path / "other.toml", "k9")
        async with client(other) as elsewhere:
            foreign = await elsewhere.post("/encode", json=body, headers=auth)
        refused = await http.post("/decode", json=foreign.json(), headers=auth)
    assert refused.status_code == 400
    assert "key 'k9'" in refused.json()["message"]


async def test_cors_for_the_web_ui_only(keys: PayloadKeys) -> None:
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    async with client(keys) as http:
        ui = await http.options("/decode", headers={"Origin": UI, **preflight})
        assert ui.status_code == 200
        assert ui.headers["access-control-allow-origin"] == UI
        stranger = await http.options(
            "/decode", headers={"Origin": "https://evil.example", **preflight}
        )
    assert "access-control-allow-origin" not in stranger.headers


async def test_the_command_refuses_without_a_key_file(app: App, tmp_path: Path) -> None:
    env = app.process_env(VALUECHAIN_STATE_DIR=str(tmp_path))
    ran = await run_cli("codec-server", env=env)
    assert ran.code == 2
    assert "no payload key file" in ran.err


async def test_the_command_serves_with_the_settings_token(app: App, tmp_path: Path) -> None:
    add_payload_key(tmp_path / "keys.toml", "k1")
    port = free_port()
    env = app.process_env(
        VALUECHAIN_STATE_DIR=str(tmp_path),
        VALUECHAIN_PAYLOAD_KEYS=str(tmp_path / "keys.toml"),
        VALUECHAIN_CODEC_PORT=str(port),
        VALUECHAIN_CODEC_TOKEN=TOKEN,
    )
    proc = await spawn("starters", env, tmp_path / "codec.log", ["codec-server"])
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            await until_healthy(http, "the codec server")
            body = {"payloads": [plain('"alice"')]}
            auth = {"Authorization": f"Bearer {TOKEN}"}
            assert (await http.post("/encode", json=body)).status_code == 401
            sealed = await http.post("/encode", json=body, headers=auth)
            opened = await http.post("/decode", json=sealed.json(), headers=auth)
            assert opened.json() == body
        proc.send_signal(signal.SIGTERM)
        assert await proc.wait() == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
