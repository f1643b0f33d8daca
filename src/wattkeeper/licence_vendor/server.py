"""The vendor's licence service over HTTP: a Starlette app and a uvicorn runner."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from wattkeeper.licence_vendor.demo import DEMO_WARNING, demo_signing_key
from wattkeeper.licence_vendor.routes import licence_routes
from wattkeeper.licence_vendor.server_requests import error_response
from wattkeeper.licence_vendor.service import LicenceService
from wattkeeper.licence_vendor.vendor_db import IssuedKey
from wattkeeper.licensing.licence import Clock, SignedLicence, utc_now

log = logging.getLogger(__name__)


def build_license_app(
    db_path: Path | str,
    signing_key: Ed25519PrivateKey,
    admin_token: str | None,
    clock: Clock = utc_now,
) -> Starlette:
    """The licence service app. ``admin_token=None`` disables issuing keys over HTTP."""
    service = LicenceService(db_path, signing_key, clock=clock)

    async def issue(app_id: str) -> IssuedKey:
        return await run_in_threadpool(service.issue, app_id)

    async def redeem(key: str, app_id: str, edge_id: str) -> SignedLicence:
        # sqlite3 blocks; the threadpool keeps the event loop free and lets requests really
        # run concurrently, which is what the DB transaction has to withstand.
        return await run_in_threadpool(service.redeem, key, app_id, edge_id)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error_response(exc.status_code, "http_error", str(exc.detail))

    async def on_crash(request: Request, exc: Exception) -> Response:
        # Starlette re-raises after this response, so uvicorn still logs the traceback.
        return error_response(500, "internal_error", "internal error in the licence service")

    return Starlette(
        routes=licence_routes(issue, redeem, admin_token, clock),
        exception_handlers={
            HTTPException: on_http_error,
            Exception: on_crash,
        },
    )


def serve(
    host: str,
    port: int,
    db_path: Path | str,
    signing_key: Ed25519PrivateKey | None = None,
    admin_token: str | None = None,
) -> None:
    """Run the licence service with uvicorn until interrupted (default key: the DEMO key)."""
    if signing_key is None:
        log.warning("%s", DEMO_WARNING)
        signing_key = demo_signing_key()
    app = build_license_app(db_path, signing_key, admin_token)
    uvicorn.run(app, host=host, port=port, log_level="info")
