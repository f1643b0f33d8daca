"""The vendor's licence service over HTTP: a Starlette app and a uvicorn runner."""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Any

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wattkeeper.licensing.errors import LicenseError
from wattkeeper.licensing.licence import Clock, format_time, utc_now
from wattkeeper.licensing.service import LicenceService

_MAX_BODY_BYTES = 16 * 1024  # requests are a few short strings; refuse anything bigger early


class BadRequest(LicenseError):
    """The HTTP request itself is malformed (not JSON, missing fields)."""

    code = "bad_request"


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """The one error shape of the API: ``{"error": {"code": ..., "message": ...}}``."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class BodyTooLarge(LicenseError):
    """The request body exceeds the limit; nothing legitimate is that big."""

    code = "body_too_large"
    http_status = 413


async def _read_limited(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    too_large = BodyTooLarge(f"request body exceeds {_MAX_BODY_BYTES} bytes")
    if declared.isdigit() and int(declared) > _MAX_BODY_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    # Count while streaming: Content-Length may be absent (chunked) or lie.
    async for chunk in request.stream():
        size += len(chunk)
        if size > _MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


async def _json_body(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    try:
        body: Any = json.loads(await _read_limited(request))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"request body must be JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    missing = [name for name in fields if name not in body]
    if missing:
        raise BadRequest(f"missing field(s): {', '.join(missing)}")
    for name in fields:
        if not isinstance(body[name], str):
            raise BadRequest(f"field {name!r} must be a string")
    return {name: body[name] for name in fields}


def _authorised(request: Request, admin_token: str | None) -> JSONResponse | None:
    if admin_token is None:
        return error_response(
            403, "issuing_disabled", "issuing keys over HTTP is disabled: no admin token configured"
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    # compare_digest: the comparison time must not reveal how much of the token was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), admin_token.encode()
    ):
        return error_response(
            401, "unauthorized", "a valid 'Authorization: Bearer' admin token is required"
        )
    return None


def build_license_app(
    db_path: Path | str,
    signing_key: Ed25519PrivateKey,
    admin_token: str | None,
    clock: Clock = utc_now,
) -> Starlette:
    """The licence service app. ``admin_token=None`` disables issuing keys over HTTP."""
    service = LicenceService(db_path, signing_key, clock=clock)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "time": format_time(clock())})

    async def issue(request: Request) -> Response:
        denied = _authorised(request, admin_token)
        if denied is not None:
            return denied
        body = await _json_body(request, ("appId",))
        issued = await run_in_threadpool(service.issue, body["appId"])
        return JSONResponse(
            {
                "key": issued.key.digits,
                "formatted": issued.key.formatted(),
                "appId": issued.app_id,
                "issuedAt": format_time(issued.issued_at),
            },
            status_code=201,
        )

    async def redeem(request: Request) -> Response:
        body = await _json_body(request, ("key", "edgeId", "appId"))
        # sqlite3 blocks; the threadpool keeps the event loop free and lets requests really
        # run concurrently, which is what the DB transaction has to withstand.
        signed = await run_in_threadpool(service.redeem, body["key"], body["appId"], body["edgeId"])
        return JSONResponse(signed.to_document())

    async def on_licence_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LicenseError)
        return error_response(exc.http_status, exc.code, str(exc))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error_response(exc.status_code, "http_error", str(exc.detail))

    async def on_crash(request: Request, exc: Exception) -> Response:
        # Starlette re-raises after this response, so uvicorn still logs the traceback.
        return error_response(500, "internal_error", "internal error in the licence service")

    return Starlette(
        routes=[
            Route("/api/v1/health", health, methods=["GET"]),
            Route("/api/v1/keys", issue, methods=["POST"]),
            Route("/api/v1/redeem", redeem, methods=["POST"]),
        ],
        exception_handlers={
            LicenseError: on_licence_error,
            HTTPException: on_http_error,
            Exception: on_crash,
        },
    )


def serve(
    host: str,
    port: int,
    db_path: Path | str,
    signing_key: Ed25519PrivateKey,
    admin_token: str | None = None,
) -> None:
    """Run the licence service with uvicorn until interrupted."""
    app = build_license_app(db_path, signing_key, admin_token)
    uvicorn.run(app, host=host, port=port, log_level="info")
