"""The DEMO vendor's public key, which an edge trusts when no vendor key is configured."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from wattkeeper.licensing.signing import key_id, load_public_key

# Its private half is published in wattkeeper.licence_vendor.demo, so anyone can mint licences
# this key verifies: trusting it (the default) is for demos. A real deployment configures only
# the vendor's own public key, e.g. `LicenceWallet(data_dir, trusted_keys(["<public key>"]))`.
DEMO_PUBLIC_KEY_B64 = "HR6b3BnUZSpyPQII+c81WRu+kW1Gyo9JwYRZFtc66cs="


def demo_public_key() -> Ed25519PublicKey:
    """The public half of the demo key, trusted by edges that have not been configured."""
    return load_public_key(DEMO_PUBLIC_KEY_B64)


def demo_key_id() -> str:
    """The vendor key id of the demo key, as it appears in demo licences."""
    return key_id(demo_public_key())


def default_trusted_keys() -> dict[str, Ed25519PublicKey]:
    """The edge's trusted keys when nothing is configured: the demo public key only."""
    return {demo_key_id(): demo_public_key()}
