"""Minting: fresh licence keys and licences signed with the vendor's private key."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wattkeeper.licensing import damm
from wattkeeper.licensing.apps import app_code
from wattkeeper.licensing.keys import KEY_LENGTH, LicenseKey
from wattkeeper.licensing.licence import Licence, SignedLicence
from wattkeeper.licensing.signing import canonical_json, key_id


def generate_key(app_id: str) -> LicenseKey:
    """Mint a fresh random key for ``app_id`` (UnknownAppError if the app has no code)."""
    code = app_code(app_id)
    random_length = KEY_LENGTH - len(code) - 1  # the last digit is the Damm check digit
    body = code + f"{secrets.randbelow(10**random_length):0{random_length}d}"
    return LicenseKey(body + damm.check_digit(body))


def sign(private_key: Ed25519PrivateKey, document: Mapping[str, Any]) -> str:
    """Sign the canonical encoding of ``document``; return the signature as base64."""
    return base64.b64encode(private_key.sign(canonical_json(document))).decode("ascii")


def sign_licence(
    private_key: Ed25519PrivateKey,
    key: LicenseKey,
    edge_id: str | None,
    issued_at: datetime,
) -> SignedLicence:
    """A licence for ``key``, bound to ``edge_id`` (None = unbound), signed by the vendor."""
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    licence = Licence(
        key=key.digits,
        app_id=key.app_id,
        edge_id=edge_id,
        issued_at=issued_at.astimezone(UTC).replace(microsecond=0),
        vendor=key_id(private_key.public_key()),
    )
    return SignedLicence(licence, sign(private_key, licence.payload()))
