"""Ed25519 vendor public keys: key ids, canonical JSON, signature checks, trusted key sets."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from wattkeeper.licensing.errors import VendorKeyError

TrustedKeys = Mapping[str, Ed25519PublicKey]
"""Vendor key id -> public key the edge accepts licences from."""


def canonical_json(document: Mapping[str, Any]) -> bytes:
    """Sorted keys, compact separators, UTF-8: the exact bytes that get signed."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short stable id derived from the public key, so it needs no registry to stay unique."""
    return "ed25519:" + hashlib.sha256(raw_public_bytes(public_key)).hexdigest()[:16]


def verify(public_key: Ed25519PublicKey, document: Mapping[str, Any], signature_b64: str) -> bool:
    """True if ``signature_b64`` is a valid signature of ``document`` by ``public_key``."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, canonical_json(document))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def load_public_key(text: str | bytes) -> Ed25519PublicKey:
    """Load an Ed25519 public key given as PEM (SubjectPublicKeyInfo) or base64 of 32 raw bytes."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    data = data.strip()
    try:
        if data.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(data, validate=True))
    except (ValueError, binascii.Error, TypeError) as exc:
        raise VendorKeyError(f"cannot load vendor public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise VendorKeyError(f"vendor public key must be Ed25519, got {type(key).__name__}")
    return key


def trusted_keys(
    public_keys: Iterable[str | bytes | Ed25519PublicKey],
) -> dict[str, Ed25519PublicKey]:
    """Build the edge's trusted key set from PEM/base64 strings (or key objects), by key id."""
    loaded = [k if isinstance(k, Ed25519PublicKey) else load_public_key(k) for k in public_keys]
    if not loaded:
        raise VendorKeyError("at least one trusted vendor public key is required")
    return {key_id(key): key for key in loaded}
