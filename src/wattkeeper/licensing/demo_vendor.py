"""DEMO ONLY vendor key pair: anyone can mint demo licences with it; real vendors use their own."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wattkeeper.licensing.signing import key_id, load_private_key, load_public_key

# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
# DEMO ONLY. THIS PRIVATE KEY IS PUBLIC: it ships in the source code, so ANYONE can mint
# licences signed by it. It exists so that demos, tests and `wattkeeper license issue` work
# out of the box. An edge that trusts the demo key (the default) therefore has no real
# protection. A real vendor runs `wattkeeper license keygen`, signs with its own private key
# (kept off every edge), and configures edges to trust ONLY its public key, e.g.
# `LicenceWallet(data_dir, trusted_keys(["<vendor public key>"]))`.
# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!
DEMO_PRIVATE_KEY_B64 = "aJes31TbuMhfyaFFPY4PZMpL/lbTtCnl+b5Vu1js4J8="
DEMO_PUBLIC_KEY_B64 = "HR6b3BnUZSpyPQII+c81WRu+kW1Gyo9JwYRZFtc66cs="

DEMO_WARNING = (
    "WARNING: signing with the built-in DEMO vendor key. Its private key is published in the "
    "wattkeeper source code, so anyone can mint these licences. Use `wattkeeper license keygen` "
    "and --signing-key for real licences."
)


def demo_signing_key() -> Ed25519PrivateKey:
    """The DEMO ONLY private key (public knowledge; never use it for real licences)."""
    return load_private_key(DEMO_PRIVATE_KEY_B64)


def demo_public_key() -> Ed25519PublicKey:
    """The public half of the demo key, trusted by edges that have not been configured."""
    return load_public_key(DEMO_PUBLIC_KEY_B64)


def demo_key_id() -> str:
    """The vendor key id of the demo key, as it appears in demo licences."""
    return key_id(demo_public_key())


def default_trusted_keys() -> dict[str, Ed25519PublicKey]:
    """The edge's trusted keys when nothing is configured: the demo public key only."""
    return {demo_key_id(): demo_public_key()}
