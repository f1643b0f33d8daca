"""`wattkeeper apps list|install|remove`: the App Center of a running edge, over JSON-RPC."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from wattkeeper.cli.client import add_connection_arguments, edge_url, guarded
from wattkeeper.client import WattkeeperClient


def _call(args: argparse.Namespace, method: str, params: dict[str, Any] | None = None) -> Any:
    password = args.password or os.environ.get("WATTKEEPER_PASSWORD") or "owner"
    with WattkeeperClient(edge_url(args)[0], password, args.user) as client:
        payload = {"method": method, "params": params or {}}
        return client.rpc("componentJsonApi", {"componentId": "_appManager", "payload": payload})


def _list(args: argparse.Namespace) -> int:
    for app in _call(args, "getApps")["apps"]:
        state = (
            "installed"
            if app["installed"]
            else ("licence needed" if app["licensed"] and not app["hasLicence"] else "available")
        )
        print(f"{app['appId']:<40} {state:<15} {app['name']}")
    return 0


def _install(args: argparse.Namespace) -> int:
    properties = dict(_pair(p) for p in args.property or [])
    result = _call(
        args,
        "addAppInstance",
        {"appId": args.app, "key": args.key, "alias": "", "properties": properties},
    )
    print(f"installed {args.app} (instance {result['instance']['instanceId']})")
    return 0


def _remove(args: argparse.Namespace) -> int:
    apps = {a["appId"]: a for a in _call(args, "getApps")["apps"]}
    if args.app not in apps or not apps[args.app]["instanceIds"]:
        print(f"error: {args.app} is not installed", file=sys.stderr)
        return 1
    for instance_id in apps[args.app]["instanceIds"]:
        _call(args, "deleteAppInstance", {"instanceId": instance_id})
    print(f"removed {args.app}")
    return 0


def _pair(text: str) -> tuple[str, Any]:
    name, sep, value = text.partition("=")
    if not sep:
        raise SystemExit(f"--property needs NAME=VALUE, got {text!r}")
    return name, int(value) if value.lstrip("-").isdigit() else value


def register(sub: Any) -> None:
    apps = sub.add_parser("apps", help="the App Center of a running edge: list, install, remove")
    commands = apps.add_subparsers(dest="apps_command", required=True)
    for name, handler, help_text in (
        ("list", _list, "list the apps and whether they are installed"),
        (
            "install",
            _install,
            "install an app, e.g. `apps install App.Api.RestJson.ReadWrite --key ...`",
        ),
        ("remove", _remove, "remove an app"),
    ):
        parser = commands.add_parser(name, help=help_text)
        if name != "list":
            parser.add_argument("app", help="app id, e.g. App.Api.RestJson.ReadWrite")
        if name == "install":
            parser.add_argument("--key", help="16-digit licence key XXXX-XXXX-XXXX-XXXX")
            parser.add_argument(
                "--property", action="append", help="NAME=VALUE, e.g. API_TIMEOUT=120"
            )
        add_connection_arguments(parser)
        parser.add_argument(
            "--password", help="owner or admin password (default: owner, or $WATTKEEPER_PASSWORD)"
        )
        parser.set_defaults(handler=guarded(handler))
