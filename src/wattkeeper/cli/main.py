"""`wattkeeper` and its subcommands: the parser, `run`, `passwd`, and the error translation."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from wattkeeper import __version__
from wattkeeper.backend import cli as backend_cli
from wattkeeper.cli import apps as cli_apps
from wattkeeper.cli import client as cli_client
from wattkeeper.cli import fleet_demo
from wattkeeper.cli import scan as cli_scan
from wattkeeper.config.data_dir import default_data_dir
from wattkeeper.core.errors import WattkeeperError
from wattkeeper.licence_vendor import cli as licence_vendor_cli
from wattkeeper.licensing import cli as licensing_cli
from wattkeeper.simulator import cli as simulator_cli

log = logging.getLogger("wattkeeper")


def _run(args: argparse.Namespace) -> int:
    from wattkeeper.config.site import demo_site, load_site
    from wattkeeper.edge.runner import new_event_loop, run_edge

    site = load_site(Path(args.config)) if args.config else demo_site()
    if args.host:
        site.edge.host = args.host
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(run_edge(site, Path(args.data_dir), speed=args.speed, ports=args.port))


def _passwd(args: argparse.Namespace) -> int:
    import getpass

    from wattkeeper.api.users import UserStore

    password = args.password
    if password is None:
        # no terminal (a script, a pipe): the password comes as one line on standard input
        password = (
            getpass.getpass(f"new password for {args.user}: ")
            if sys.stdin.isatty()
            else sys.stdin.readline().rstrip("\n")
        )
    if not password:
        raise WattkeeperError(
            "no password given: use --password, type it at the prompt, or pipe it in"
        )
    UserStore(Path(args.data_dir)).set_password(args.user, password)
    print(f"password of {args.user} changed (a running edge picks it up within seconds)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wattkeeper", description=__doc__)
    parser.add_argument("--version", action="version", version=f"wattkeeper {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="start the site (the demo home without --config)")
    run.add_argument("--config", help="site file (TOML); default: the built-in demo home")
    run.add_argument("--data-dir", default=str(default_data_dir()), help="data directory")
    run.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    run.add_argument(
        "--port",
        type=int,
        action="append",
        help=(
            "HTTP port to listen on; repeat for several. Given, the edge listens on exactly "
            "these ports (the site file's `ports` and the REST controller's own `port`, 8084 by "
            "default, are not bound) and the controller's `port` names the first of them. "
            "Without it, a REST `port` that cannot be bound makes the controller report "
            "UnableToStart. `wattkeeper get/set` find the URL in the data directory"
        ),
    )
    run.add_argument("--speed", type=float, help="simulation speed factor (e.g. 60)")
    run.set_defaults(handler=_run)

    cli_client.register(sub)
    cli_apps.register(sub)
    passwd = sub.add_parser(
        "passwd", help="change a user's password (admin, installer, owner, guest)"
    )
    passwd.add_argument("user", help="user name")
    passwd.add_argument("--data-dir", default=str(default_data_dir()), help="data directory")
    passwd.add_argument("--password", help="the new password (asked for when omitted)")
    passwd.set_defaults(handler=_passwd)
    licence_vendor_cli.register(sub, licensing_cli.register(sub))
    simulator_cli.register(sub)
    cli_scan.register(sub)
    backend_cli.register(sub)
    fleet_demo.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise here
    try:
        result: int = args.handler(args)
        return result
    except WattkeeperError as error:
        print(f"wattkeeper: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"wattkeeper: {_os_problem(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def _os_problem(error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"{error.strerror or error}: another program listens there; choose a free --port"
    if error.errno in (errno.EACCES, errno.EPERM):
        return (
            f"{error.strerror or error}: {error.filename or 'that port or file'} needs other rights"
        )
    return str(error)
