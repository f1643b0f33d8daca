"""The licence service's HTTP API as routes, whatever stores the keys (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from wattkeeper.licence_vendor.server_requests import authorised, error_response, json_body
from wattkeeper.licence_vendor.vendor_db import IssuedKey
from wattkeeper.licensing.errors import LicenseError
from wattkeeper.licensing.licence import Clock, SignedLicence, format_time

Issue = Callable[[str], Awaitable[IssuedKey]]
Redeem = Callable[[str, str, str], Awaitable[SignedLicence]]  # key, app id, edge id
Endpoint = Callable[[Request], Awaitable[Response]]


def _licence_errors(endpoint: Endpoint) -> Endpoint:
    """A LicenseError becomes the API's JSON error inside the route, so any app can mount it."""

    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except LicenseError as exc:
            return error_response(exc.http_status, exc.code, str(exc))

    return guarded


def licence_routes(
    issue_key: Issue, redeem_key: Redeem, admin_token: str | None, clock: Clock
) -> list[Route]:
    """``GET /api/v1/health``, ``POST /api/v1/keys`` (admin token) and ``POST /api/v1/redeem``.

    ``admin_token=None`` disables issuing keys over HTTP. The storage is the caller's: it
    passes how a key is issued and redeemed; the JSON shapes and error codes are the same.
    """

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "time": format_time(clock())})

    async def issue(request: Request) -> Response:
        denied = authorised(request, admin_token)
        if denied is not None:
            return denied
        body = await json_body(request, ("appId",))
        issued = await issue_key(body["appId"])
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
        body = await json_body(request, ("key", "edgeId", "appId"))
        signed = await redeem_key(body["key"], body["appId"], body["edgeId"])
        return JSONResponse(signed.to_document())

    return [
        Route("/api/v1/health", _licence_errors(health), methods=["GET"]),
        Route("/api/v1/keys", _licence_errors(issue), methods=["POST"]),
        Route("/api/v1/redeem", _licence_errors(redeem), methods=["POST"]),
    ]
