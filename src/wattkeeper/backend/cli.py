"""`wattkeeper backend`: one stateless backend node, configured by URLs."""

from __future__ import annotations

import argparse
import asyncio
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
    parser.set_defaults(handler=_backend)


def _backend(args: argparse.Namespace) -> int:
    from wattkeeper.backend.node import serve

    if not args.database.startswith(("postgresql://", "postgres://")):
        raise SystemExit("wattkeeper: --database must be a postgresql:// URL")
    if not args.nats.startswith(("nats://", "tls://")):
        raise SystemExit("wattkeeper: --nats must be a nats:// URL")
    return asyncio.run(serve(args.database, args.nats, args.host, args.port))
