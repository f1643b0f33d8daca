"""`wattkeeper backend`: one stateless backend node, configured by URLs."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "backend",
        help="run a fleet backend node (edges report to it; users reach their edges through it)",
        description=(
            "A stateless node: edges connect by websocket to /edge with their apikey header, "
            "users call /jsonrpc (HTTP Basic). Start several on one PostgreSQL and NATS."
        ),
    )
    parser.add_argument("--database", required=True, help="postgresql://user:password@host/db")
    parser.add_argument("--nats", required=True, help="nats://host:port")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (%(default)s)")
    parser.add_argument("--port", type=int, default=8081, help="TCP port (%(default)s)")
    parser.add_argument(
        "--signing-key", help="vendor private key PEM signing licences (default: the DEMO key)"
    )
    parser.add_argument(
        "--admin-token",
        help="bearer token for issuing licence keys at POST /api/v1/keys "
        "(or $WATTKEEPER_LICENSE_ADMIN_TOKEN; without it issuing over HTTP is off)",
    )
    parser.set_defaults(handler=_backend)


def _licensing(args: argparse.Namespace) -> Any:
    """The licence service's settings, the vendor licence server's way (key file, token)."""
    from wattkeeper.backend.licences import LicenceSettings
    from wattkeeper.licence_vendor.cli import ADMIN_TOKEN_ENV
    from wattkeeper.licence_vendor.demo import DEMO_WARNING, signing_key_or_demo
    from wattkeeper.licensing.errors import LicenseError

    try:
        signing_key, is_demo = signing_key_or_demo(args.signing_key)
    except LicenseError as error:
        raise SystemExit(f"wattkeeper: {error}") from None
    if is_demo:
        print(DEMO_WARNING, file=sys.stderr)
    admin_token = args.admin_token or os.environ.get(ADMIN_TOKEN_ENV) or None
    return LicenceSettings(signing_key, admin_token)


def _backend(args: argparse.Namespace) -> int:
    from wattkeeper.backend.node import serve

    if not args.database.startswith(("postgresql://", "postgres://")):
        raise SystemExit("wattkeeper: --database must be a postgresql:// URL")
    if not args.nats.startswith(("nats://", "tls://")):
        raise SystemExit("wattkeeper: --nats must be a nats:// URL")
    licensing = _licensing(args)
    return asyncio.run(serve(args.database, args.nats, args.host, args.port, licensing))
