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
    parser.add_argument(
        "action",
        nargs="?",
        choices=["issue-key"],
        help="issue-key: issue a licence key for --app into the database and print it",
    )
    parser.add_argument("--database", required=True, help="postgresql://user:password@host/db")
    parser.add_argument("--nats", help="nats://host:port (required to run a node)")
    parser.add_argument("--app", help="issue-key: the app the key unlocks")
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


async def _issue_key(database: str, app_id: str) -> str:
    from wattkeeper.backend.licences import FleetLicences, LicenceSettings
    from wattkeeper.backend.store import FleetStore
    from wattkeeper.licence_vendor.demo import demo_signing_key

    store = await FleetStore.open(database, size=1)
    try:
        # issuing signs nothing: the key is only recorded, nodes sign when an edge redeems it
        licences = await FleetLicences.open(store.pool, LicenceSettings(demo_signing_key()))
        return (await licences.issue(app_id)).key.formatted()
    finally:
        await store.close()


def _issue(args: argparse.Namespace) -> int:
    """`backend issue-key`: the licence server's `license issue --db`, for the backend."""
    from wattkeeper.licensing.errors import LicenseError

    if args.app is None:
        raise SystemExit("wattkeeper: backend issue-key needs --app")
    try:
        key = asyncio.run(_issue_key(args.database, args.app))
    except LicenseError as error:
        raise SystemExit(f"wattkeeper: {error}") from None
    print(f"Issued a key for {args.app} in the backend's database.")
    print("An edge redeems it online at any backend node ([licensing] service_url).")
    print(key)
    return 0


def _backend(args: argparse.Namespace) -> int:
    from wattkeeper.backend.node import serve

    if not args.database.startswith(("postgresql://", "postgres://")):
        raise SystemExit("wattkeeper: --database must be a postgresql:// URL")
    if args.action == "issue-key":
        return _issue(args)
    if args.nats is None:
        raise SystemExit("wattkeeper: --nats is required to run a backend node")
    if not args.nats.startswith(("nats://", "tls://")):
        raise SystemExit("wattkeeper: --nats must be a nats:// URL")
    licensing = _licensing(args)
    return asyncio.run(serve(args.database, args.nats, args.host, args.port, licensing))
