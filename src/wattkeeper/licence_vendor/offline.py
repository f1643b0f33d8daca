"""Offline issuance: a key plus an unbound licence file, dropped into an edge's inbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wattkeeper.licence_vendor.demo import demo_signing_key
from wattkeeper.licence_vendor.minting import generate_key, sign_licence
from wattkeeper.licensing.keys import LicenseKey
from wattkeeper.licensing.licence import Clock, SignedLicence, utc_now
from wattkeeper.licensing.store import inbox_dir, write_licence


@dataclass(frozen=True, slots=True)
class OfflineIssue:
    """The result of an offline issuance: the key to give the user and where its licence lies."""

    key: LicenseKey
    licence: SignedLicence
    path: Path


def issue_offline(
    app_id: str,
    data_dir: Path | str,
    signing_key: Ed25519PrivateKey | None = None,
    clock: Clock = utc_now,
) -> OfflineIssue:
    """Mint a key and a licence not bound to any edge, and drop it into the edge's inbox.

    This is how a vendor hands out a licence file with a key, without a licence service.
    ``signing_key`` defaults to the DEMO vendor key, which edges trust by default.
    """
    key = generate_key(app_id)
    vendor_key = demo_signing_key() if signing_key is None else signing_key
    signed = sign_licence(vendor_key, key, None, clock())
    return OfflineIssue(key, signed, write_licence(inbox_dir(data_dir), signed))
