"""`/encode` and `/decode` as Temporal's codec server protocol has them (JSON
`{"payloads": [...]}`, each payload in protobuf's JSON form), behind a bearer token, with
CORS for the Web UI's origins only."""

from __future__ import annotations

import hmac
from typing import Any

from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payload

from valuechain.codec import CodecError, EncryptionCodec


def build_codec_app(codec: EncryptionCodec, token: str, origins: list[str]) -> Starlette:
    def authorized(request: Request) -> bool:
        given = request.headers.get("authorization", "")
        return bool(token) and hmac.compare_digest(given, f"Bearer {token}")

    async def payloads_of(request: Request) -> list[Payload] | Response:
        if not authorized(request):
            return JSONResponse({"message": "a valid bearer token is needed"}, status_code=401)
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
            )
        ],
    )
