"""Signed licences: the JSON document, its signature, and strict parsing and verification."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from wattkeeper.licensing.errors import (
    InvalidSignatureError,
    LicenseError,
    MalformedLicenceError,
    WrongAppError,
)
from wattkeeper.licensing.keys import LicenseKey
from wattkeeper.licensing.signing import TrustedKeys, verify

Clock = Callable[[], datetime]
"""Returns the current time as an aware datetime; injected so tests never depend on the wall."""

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_PAYLOAD_FIELDS = frozenset({"key", "appId", "edgeId", "issuedAt", "vendor"})
_DOCUMENT_FIELDS = frozenset({"licence", "signature"})


def utc_now() -> datetime:
    """The default clock."""
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """ISO 8601 UTC with second precision, e.g. ``2026-01-31T12:00:00Z``."""
    if moment.tzinfo is None:
        raise ValueError("licence timestamps must be timezone-aware")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def parse_time(text: str) -> datetime:
    """Inverse of format_time; strict so that re-serialising yields the signed bytes."""
    return datetime.strptime(text, _TIME_FORMAT).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Licence:
    """What a vendor asserts: ``key`` unlocks ``app_id`` on ``edge_id`` (None = any edge)."""

    key: str
    app_id: str
    edge_id: str | None
    issued_at: datetime
    vendor: str

    def payload(self) -> dict[str, Any]:
        """The JSON object that gets signed."""
        return {
            "key": self.key,
            "appId": self.app_id,
            "edgeId": self.edge_id,
            "issuedAt": format_time(self.issued_at),
            "vendor": self.vendor,
        }

    def allows(self, app_id: str, edge_id: str) -> bool:
        """True if this licence unlocks ``app_id`` on ``edge_id``."""
        return self.app_id == app_id and self.edge_id in (None, edge_id)


@dataclass(frozen=True, slots=True)
class SignedLicence:
    """A licence plus the vendor's base64 Ed25519 signature over its canonical JSON."""

    licence: Licence
    signature: str

    def to_document(self) -> dict[str, Any]:
        """The licence file content: ``{"licence": {...}, "signature": "..."}``."""
        return {"licence": self.licence.payload(), "signature": self.signature}

    def to_json(self) -> str:
        """Pretty JSON for files; the signature covers the canonical form, not this text."""
        return json.dumps(self.to_document(), indent=2, sort_keys=True) + "\n"


def _payload_from(document: Any) -> tuple[dict[str, Any], str]:
    if not isinstance(document, dict) or set(document) != _DOCUMENT_FIELDS:
        raise MalformedLicenceError(
            "licence document must be a JSON object with exactly 'licence' and 'signature'"
        )
    payload, signature = document["licence"], document["signature"]
    if not isinstance(payload, dict) or set(payload) != _PAYLOAD_FIELDS:
        fields = ", ".join(sorted(_PAYLOAD_FIELDS))
        raise MalformedLicenceError(f"licence must have exactly the fields {fields}")
    if not isinstance(signature, str):
        raise MalformedLicenceError("licence signature must be a base64 string")
    for name in ("key", "appId", "issuedAt", "vendor"):
        if not isinstance(payload[name], str):
            raise MalformedLicenceError(f"licence field {name!r} must be a string")
    if payload["edgeId"] is not None and not isinstance(payload["edgeId"], str):
        raise MalformedLicenceError("licence field 'edgeId' must be a string or null")
    return payload, signature


def _licence_from(payload: Mapping[str, Any]) -> Licence:
    try:
        key = LicenseKey(payload["key"])
        issued_at = parse_time(payload["issuedAt"])
    except (LicenseError, ValueError) as exc:
        raise MalformedLicenceError(f"licence content is invalid: {exc}") from exc
    licence = Licence(key.digits, payload["appId"], payload["edgeId"], issued_at, payload["vendor"])
    if key.app_id != licence.app_id:
        # Validly signed but self-contradictory: refuse rather than guess which field is right.
        raise WrongAppError(f"licence is for app {licence.app_id} but its key is for {key.app_id}")
    return licence


def verify_document(document: Any, trusted: TrustedKeys) -> SignedLicence:
    """Check shape and signature of a decoded licence document against trusted vendor keys.

    Raises InvalidSignatureError (or its subclass MalformedLicenceError) if the licence is
    altered, forged, signed by an untrusted key, or not a licence at all.
    """
    payload, signature = _payload_from(document)
    vendor = payload["vendor"]
    public_key = trusted.get(vendor)
    if public_key is None:
        raise InvalidSignatureError(
            f"licence is signed by vendor key {vendor!r}, which this edge does not trust"
        )
    # Verify the bytes as received, before interpreting any field, so nothing unsigned is used.
    if not verify(public_key, payload, signature):
        raise InvalidSignatureError(
            f"licence for key {payload['key']!r} has an invalid signature: it was altered or forged"
        )
    return SignedLicence(_licence_from(payload), signature)


def verify_json(text: str | bytes, trusted: TrustedKeys) -> SignedLicence:
    """Decode licence JSON text and verify it (see verify_document)."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedLicenceError(f"licence is not valid JSON: {exc}") from exc
    return verify_document(document, trusted)
