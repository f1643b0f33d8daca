"""Request handling helpers of the licence service: JSON error shape, body parsing, admin auth."""

from __future__ import annotations

import hmac
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from wattkeeper.licensing.errors import LicenseError

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


async def json_body(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
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


def authorised(request: Request, admin_token: str | None) -> JSONResponse | None:
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
