"""`/encode` and `/decode` as Temporal's codec server protocol has them (JSON
`{"payloads": [...]}`, each payload in protobuf's JSON form), with CORS for the Web UI's
origins only. A caller is let in with the bearer token (the `temporal` CLI, scripts) or,
from a browser, with a session of the task list: a person signed in there sees decoded
data in the Web UI, which sends the cookie when it includes credentials."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payload

from starters.tasklist.auth import sessions, signed_in
from valuechain.codec import CodecError, EncryptionCodec
from valuechain.models.common import Roster
from valuechain.settings import Settings


@dataclass(frozen=True)
class TaskListSessions:
    """What reads the task list's session cookie: its settings, roster and secret."""

    settings: Settings
    roster: Roster
    secret: str


def build_codec_app(
    codec: EncryptionCodec,
    token: str,
    origins: list[str],
    people: TaskListSessions | None = None,
) -> Starlette:
    def authorized(request: Request) -> bool:
        given = request.headers.get("authorization", "")
        if token and hmac.compare_digest(given, f"Bearer {token}"):
            return True
        return people is not None and signed_in(request, people.settings, people.roster) is not None

    async def payloads_of(request: Request) -> list[Payload] | Response:
        if not authorized(request):
            return JSONResponse(
                {"message": "sign in to the task list, or give the codec server's bearer token"},
                status_code=401,
            )
        try:
            body: Any = await request.json()
            given = body["payloads"]
            return [ParseDict(p, Payload()) for p in given]
        except (ValueError, KeyError, TypeError, ParseError) as err:
            return JSONResponse(
                {"message": f'expected {{"payloads": [...]}}: {err}'}, status_code=400
            )

    def answer(payloads: list[Payload]) -> Response:
        return JSONResponse({"payloads": [MessageToDict(p) for p in payloads]})

    async def encode(request: Request) -> Response:
        given = await payloads_of(request)
        if isinstance(given, Response):
            return given
        return answer(await codec.encode(given))

    async def decode(request: Request) -> Response:
        given = await payloads_of(request)
        if isinstance(given, Response):
            return given
        try:
            return answer(await codec.decode(given))
        except CodecError as err:
            return JSONResponse({"message": str(err)}, status_code=400)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    # The CORS layer outermost: a browser's preflight carries no credentials.
    cookies = [sessions(people.settings, people.secret)] if people else []
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/encode", encode, methods=["POST"]),
            Route("/decode", decode, methods=["POST"]),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=["POST"],
                allow_headers=["Authorization", "Content-Type", "X-Namespace"],
                allow_credentials=True,
            ),
            *cookies,
        ],
    )
