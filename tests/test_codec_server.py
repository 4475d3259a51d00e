"""The codec server as the Web UI calls it: a bearer token or a task list sign-in, else
401; CORS for the UI's origin only; `/encode` and `/decode` in Temporal's JSON form,
round-tripping with the project's codec; a payload whose key it lacks is refused, naming
the key."""

from __future__ import annotations

import base64
import json
import signal
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from starters.codec.server import TaskListSessions, build_codec_app
from tests.helpers import App
from tests.helpers.cases import CASES, start_case
from tests.helpers.cli import free_port, run_cli, run_temporal_cli, spawn
from tests.helpers.tasklist import browser, serving, sign_in, until_healthy
from valuechain.codec import EncryptionCodec, PayloadKeys, add_payload_key, encrypting
from valuechain.converter import DATA_CONVERTER

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


async def test_a_person_signed_in_to_the_task_list_may_decode(
    app: App, keys: PayloadKeys, tmp_path: Path
) -> None:
    body = {"payloads": [plain('"alice"')]}
    async with browser(app, tmp_path) as (tasklist, tasks):
        people = TaskListSessions(tasks.settings, tasks.roster, tasks.secret)
        codec_app = build_codec_app(EncryptionCodec(keys), TOKEN, [UI], people)
        transport = httpx.ASGITransport(app=codec_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://codec") as codec:
            assert (await codec.post("/encode", json=body)).status_code == 401
            await sign_in(tasklist, "maria")
            session = tasklist.cookies["valuechain_session"]
            signed = {"Cookie": f"valuechain_session={session}", "Origin": UI}
            sealed = await codec.post("/encode", json=body, headers=signed)
            assert sealed.status_code == 200
            opened = await codec.post("/decode", json=sealed.json(), headers=signed)
            assert opened.json() == body
            assert opened.headers["access-control-allow-credentials"] == "true"
            forged = {"Cookie": f"valuechain_session={session[:-6]}AAAAAA"}
            assert (
                await codec.post("/decode", json=sealed.json(), headers=forged)
            ).status_code == 401


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


async def test_the_temporal_cli_decodes_through_it(app: App, keys: PayloadKeys) -> None:
    """`temporal workflow show` with `--codec-endpoint` and the token shows a run's data;
    without them, or with a wrong token, only ciphertext."""
    target = app.client.service_client.config.target_host
    sealed = await Client.connect(target, data_converter=encrypting(DATA_CONVERTER, keys))
    handle = await start_case(sealed, CASES[0], app.task_queue)  # no worker: its input
    show = ["workflow", "show", "--address", target, "--workflow-id", handle.id, "-o", "json"]
    async with serving(build_codec_app(EncryptionCodec(keys), TOKEN, [UI])) as codec_url:
        codec = ["--codec-endpoint", codec_url]
        decoded = await run_temporal_cli(*show, *codec, "--codec-auth", f"Bearer {TOKEN}")
        refused = await run_temporal_cli(*show, *codec, "--codec-auth", "Bearer guess")
    stored = await run_temporal_cli(*show)
    await handle.terminate("test done")
    assert decoded.code == 0, decoded.err
    encoding, data = started_with(decoded.out)
    assert encoding == "json/plain"
    assert "Client visit, train tickets" in data
    assert stored.code == 0, stored.err
    assert started_with(stored.out)[0] == "binary/encrypted"
    assert "Client visit" not in started_with(stored.out)[1]
    assert refused.code != 0  # the CLI gives up on a codec server that refuses it
    assert "Client visit" not in refused.out + refused.err


def started_with(shown: str) -> tuple[str, str]:
    """The encoding and data of a run's input, from `temporal workflow show -o json`."""
    [payload] = json.loads(shown)["events"][0]["workflowExecutionStartedEventAttributes"]["input"][
        "payloads"
    ]
    encoding = base64.b64decode(payload["metadata"]["encoding"]).decode()
    return encoding, base64.b64decode(payload["data"]).decode(errors="replace")
