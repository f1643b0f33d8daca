"""The vendor's Ed25519 key files: loading the private key and writing PEM/base64 forms."""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wattkeeper.licensing.errors import VendorKeyError
from wattkeeper.licensing.signing import raw_public_bytes


def public_key_b64(public_key: Ed25519PublicKey) -> str:
    """The raw public key as base64, the short form the edge's ``load_public_key`` accepts."""
    return base64.b64encode(raw_public_bytes(public_key)).decode("ascii")


def load_private_key(text: str | bytes) -> Ed25519PrivateKey:
    """Load an Ed25519 private key given as unencrypted PKCS#8 PEM or base64 of 32 raw bytes."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    data = data.strip()
    try:
        if data.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(data, validate=True))
    except (ValueError, binascii.Error, TypeError) as exc:
        raise VendorKeyError(f"cannot load vendor signing key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise VendorKeyError(f"vendor signing key must be Ed25519, got {type(key).__name__}")
    return key


def private_key_pem(private_key: Ed25519PrivateKey) -> bytes:
    """Unencrypted PKCS#8 PEM, the format ``license keygen`` writes."""
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM of a public key."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
