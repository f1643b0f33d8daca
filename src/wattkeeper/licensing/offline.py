"""Offline issuance (key + unbound licence file, for demos and tests) and licence file import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wattkeeper.licensing.demo_vendor import default_trusted_keys, demo_signing_key
from wattkeeper.licensing.errors import LicenceFileError
from wattkeeper.licensing.keys import LicenseKey, generate_key
from wattkeeper.licensing.licence import Clock, SignedLicence, sign_licence, utc_now, verify_json
from wattkeeper.licensing.signing import TrustedKeys
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


def import_licence_file(
    source: Path | str, data_dir: Path | str, trusted: TrustedKeys | None = None
) -> SignedLicence:
    """Verify a licence file given by path and copy it into the inbox for ``redeem``.

    Raises LicenceFileError if unreadable, InvalidSignatureError if forged, altered or malformed.
    """
    try:
        text = Path(source).read_bytes()
    except OSError as exc:
        raise LicenceFileError(f"cannot read licence file {source}: {exc.strerror}") from exc
    signed = verify_json(text, default_trusted_keys() if trusted is None else trusted)
    write_licence(inbox_dir(data_dir), signed)
    return signed
