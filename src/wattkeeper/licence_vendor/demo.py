"""DEMO ONLY vendor private key: anyone can mint demo licences with it; vendors use their own."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wattkeeper.licence_vendor.signing_keys import load_private_key
from wattkeeper.licensing.errors import VendorKeyError

# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
# DEMO ONLY. THIS PRIVATE KEY IS PUBLIC: it ships in the source code, so ANYONE can mint
# licences signed by it. It exists so that demos, tests and `wattkeeper license issue` work
# out of the box. An edge that trusts the demo key (the default, see
# wattkeeper.licensing.demo_vendor) therefore has no real protection. A real vendor runs
# `wattkeeper license keygen`, signs with its own private key (kept off every edge), and
# configures edges to trust ONLY its public key.
# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
DEMO_PRIVATE_KEY_B64 = "aJes31TbuMhfyaFFPY4PZMpL/lbTtCnl+b5Vu1js4J8="

DEMO_WARNING = (
    "WARNING: signing with the built-in DEMO vendor key. Its private key is published in the "
    "wattkeeper source code, so anyone can mint these licences. Use `wattkeeper license keygen` "
    "and --signing-key for real licences."
)


def demo_signing_key() -> Ed25519PrivateKey:
    """The DEMO ONLY private key (public knowledge; never use it for real licences)."""
    return load_private_key(DEMO_PRIVATE_KEY_B64)


def signing_key_or_demo(path: str | None) -> tuple[Ed25519PrivateKey, bool]:
    """The vendor key read from ``path``, or the demo key; the flag tells if it is the demo."""
    if path is None:
        return demo_signing_key(), True
    try:
        return load_private_key(Path(path).read_bytes()), False
    except OSError as exc:
        raise VendorKeyError(f"cannot read signing key {path}: {exc.strerror}") from exc
