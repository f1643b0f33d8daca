"""`wattkeeper get` and `wattkeeper set`: the Python client on the command line."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from wattkeeper.client import ApiClientError, WattkeeperClient
from wattkeeper.config.data_dir import URL_FILE, default_data_dir, read_edge_url

DEFAULT_URL = "http://127.0.0.1:8084"


def edge_url(args: argparse.Namespace) -> tuple[str, str]:
    """(URL, where it came from): --url, $WATTKEEPER_URL, the running edge's URL file in the
    data directory, else OpenEMS's REST port on this machine."""
    if args.url:
        return args.url, "--url"
    if os.environ.get("WATTKEEPER_URL"):
        return os.environ["WATTKEEPER_URL"], "$WATTKEEPER_URL"
    found = read_edge_url(Path(args.data_dir))
    if found:
        return found, f"{Path(args.data_dir) / URL_FILE}"
    return DEFAULT_URL, "the default"


def _client(args: argparse.Namespace, default_password: str) -> WattkeeperClient:
    password = args.password or os.environ.get("WATTKEEPER_PASSWORD") or default_password
    return WattkeeperClient(edge_url(args)[0], password, args.user)


def _unreachable(args: argparse.Namespace, error: httpx.TransportError) -> int:
    url, source = edge_url(args)
    print(
        f"error: no edge answers at {url} (from {source}): {error or type(error).__name__}. "
        "Is `wattkeeper run` running? Give its address with --url http://HOST:PORT.",
        file=sys.stderr,
    )
    return 2


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The edge's refusal, or no edge at all, as one line and an exit code: never a traceback."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except ApiClientError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 1
        except httpx.TransportError as error:
            return _unreachable(args, error)

    return run


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """--url, --data-dir and --user: how a command finds and talks to the edge."""
    parser.add_argument(
        "--url",
        help=(
            "edge URL; default: $WATTKEEPER_URL, else the URL the edge running on this "
            f"data directory wrote to {URL_FILE}, else {DEFAULT_URL}"
        ),
    )
    parser.add_argument(
        "--data-dir",
        default=str(default_data_dir()),
        help="data directory of the edge to find (as given to `wattkeeper run`)",
    )
    parser.add_argument(
        "--user", default="x", help="user name (free; the password selects the user)"
    )


def _get(args: argparse.Namespace) -> int:
    with _client(args, "user") as client:
        channels = client.read(args.address)
    for channel in channels:
        if args.json:
            print(json.dumps(channel))
        else:
            value = channel.get("value", "(write-only)")
            unit = f" {channel['unit']}" if channel.get("unit") and value is not None else ""
            print(f"{channel['address']} = {value}{unit}")
    return 0


def _parse_value(text: str) -> Any:
    if text == "null":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _set(args: argparse.Namespace) -> int:
    value = _parse_value(args.value)
    with _client(args, "owner") as client:
        if not args.keep:
            client.write(args.address, value)
            print(f"{args.address} <- {value}")
            return 0
        stop = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        print(f"{args.address} <- {value}, kept alive until Ctrl-C", file=sys.stderr)
        client.keep(args.address, value, stop)
        print(f"{args.address} released", file=sys.stderr)
        return 0


def register(sub: Any) -> None:
    for name, handler, help_text in (
        ("get", _get, "read channels, e.g. `wattkeeper get ess0/Soc` or `_sum/.*`"),
        ("set", _set, "write a channel, e.g. `wattkeeper set ess0/SetActivePowerEquals 5000`"),
    ):
        parser = sub.add_parser(name, help=help_text)
        parser.add_argument("address", help="component/channel")
        if name == "set":
            parser.add_argument("value", help="a number, a string, or null to release")
            parser.add_argument(
                "--keep",
                action="store_true",
                help="re-send before the timeout until Ctrl-C, then release",
            )
        else:
            parser.add_argument("--json", action="store_true", help="print the raw JSON objects")
        add_connection_arguments(parser)
        parser.add_argument("--password", help="password (or $WATTKEEPER_PASSWORD)")
        parser.set_defaults(handler=guarded(handler))
