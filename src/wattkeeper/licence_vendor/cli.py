"""CLI subcommands `license issue|keygen` and `license-server`: the vendor's side of the CLI."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wattkeeper.licence_vendor.demo import DEMO_WARNING, signing_key_or_demo
from wattkeeper.licence_vendor.offline import issue_offline
from wattkeeper.licence_vendor.signing_keys import (
    private_key_pem,
    public_key_b64,
    public_key_pem,
)
from wattkeeper.licence_vendor.vendor_db import VendorDB
from wattkeeper.licensing.apps import APP_CODES
from wattkeeper.licensing.cli import LicenceActions, guarded
from wattkeeper.licensing.errors import LicenseError, VendorKeyError
from wattkeeper.licensing.signing import key_id

ADMIN_TOKEN_ENV = "WATTKEEPER_LICENSE_ADMIN_TOKEN"


def _issue(args: argparse.Namespace) -> int:
    if args.db is not None:
        issued = VendorDB(args.db).issue(args.app)
        print(f"Issued a key for {issued.app_id} in vendor database {args.db}.")
        print("The edge redeems it online against the licence service (license-server).")
        print(issued.key.formatted())
        return 0
    if args.data_dir is None:
        raise LicenseError("license issue needs --data-dir (offline licence) or --db (vendor DB)")
    signing_key, is_demo = signing_key_or_demo(args.signing_key)
    if is_demo:
        print(DEMO_WARNING)
    result = issue_offline(args.app, args.data_dir, signing_key)
    print(f"Issued an offline licence for {args.app}, not bound to any edge.")
    print(f"Licence file: {result.path}")
    print("Enter this key in the App Center of the edge that uses this data directory:")
    print(result.key.formatted())
    return 0


def _keygen(args: argparse.Namespace) -> int:
    private_path = Path(args.out)
    public_path = private_path.with_name(private_path.name + ".pub")
    private_key = Ed25519PrivateKey.generate()
    # O_EXCL + 0600: never overwrite an existing vendor key, never make it world-readable.
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise VendorKeyError(f"refusing to overwrite existing key file {private_path}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_key_pem(private_key))
    public_path.write_bytes(public_key_pem(private_key.public_key()))
    print(f"Private signing key (keep it secret, never put it on an edge): {private_path}")
    print(f"Public key: {public_path}")
    print(f"Key id: {key_id(private_key.public_key())}")
    print("Configure edges to trust this public key (base64):")
    print(public_key_b64(private_key.public_key()))
    return 0


def _server(args: argparse.Namespace) -> int:
    from wattkeeper.licence_vendor.server import serve  # uvicorn is only needed for this command

    signing_key, is_demo = signing_key_or_demo(args.signing_key)
    if is_demo:
        print(DEMO_WARNING, file=sys.stderr)
    admin_token = args.admin_token or os.environ.get(ADMIN_TOKEN_ENV) or None
    if admin_token is None:
        print(
            f"note: no admin token (--admin-token or ${ADMIN_TOKEN_ENV}): POST /api/v1/keys is "
            "disabled; issue keys with `license issue --db`.",
            file=sys.stderr,
        )
    serve(args.host, args.port, args.db, signing_key, admin_token)
    return 0


def register(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], licence: LicenceActions
) -> None:
    """Add `license issue|keygen` to the edge's `license` group and `license-server` to the CLI."""
    apps = ", ".join(sorted(APP_CODES))
    issue = licence.add_parser("issue", help="issue a licence key (offline file or vendor DB)")
    issue.add_argument("--app", required=True, help=f"app id, one of: {apps}")
    issue.add_argument("--data-dir", help="edge data dir: drop an offline licence in its inbox")
    issue.add_argument("--db", help="vendor database: issue the key there instead")
    issue.add_argument("--signing-key", help="vendor private key PEM (default: DEMO key)")
    issue.set_defaults(handler=guarded(_issue))

    keygen = licence.add_parser("keygen", help="create a vendor signing key pair")
    keygen.add_argument("--out", required=True, help="private key file; public key goes to .pub")
    keygen.set_defaults(handler=guarded(_keygen))

    server = subparsers.add_parser("license-server", help="run the vendor licence service")
    server.add_argument("--db", required=True, help="vendor SQLite database (created if missing)")
    server.add_argument("--host", default="127.0.0.1")
    server.add_argument("--port", type=int, default=8090)
    server.add_argument("--signing-key", help="vendor private key PEM (default: DEMO key)")
    server.add_argument(
        "--admin-token", help=f"bearer token for issuing keys (or ${ADMIN_TOKEN_ENV})"
    )
    server.set_defaults(handler=guarded(_server))
