"""CLI subcommand `license import` (an edge's side) and the `license` group the vendor extends."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TypeAlias

from wattkeeper.licensing.demo_vendor import default_trusted_keys
from wattkeeper.licensing.errors import LicenseError
from wattkeeper.licensing.offline import import_licence_file
from wattkeeper.licensing.signing import trusted_keys

Handler = Callable[[argparse.Namespace], int]
LicenceActions: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""The subcommands of `wattkeeper license`; the vendor's package adds `issue` and `keygen`."""


def guarded(handler: Handler) -> Handler:
    """Turn licensing and file errors into one clear line on stderr and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (LicenseError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1

    return run


def _import(args: argparse.Namespace) -> int:
    trusted = trusted_keys(args.trusted_key) if args.trusted_key else default_trusted_keys()
    signed = import_licence_file(args.file, args.data_dir, trusted)
    print(f"Imported a valid licence for {signed.licence.app_id}; redeem it with its key:")
    print(signed.licence.key)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> LicenceActions:
    """Add `license` with `import` to the wattkeeper CLI; return its subcommands to extend."""
    licence = subparsers.add_parser("license", help="issue, import and manage licence keys")
    actions = licence.add_subparsers(dest="license_command", required=True)
    imp = actions.add_parser("import", help="verify a licence file and add it to an edge")
    imp.add_argument("file", help="licence file (.json)")
    imp.add_argument("--data-dir", required=True, help="edge data dir")
    imp.add_argument(
        "--trusted-key", action="append", help="vendor public key (base64/PEM); default: demo key"
    )
    imp.set_defaults(handler=guarded(_import))
    return actions
