"""Licence file import: verify a licence file handed out with a key and put it in the inbox."""

from __future__ import annotations

from pathlib import Path

from wattkeeper.licensing.demo_vendor import default_trusted_keys
from wattkeeper.licensing.errors import LicenceFileError
from wattkeeper.licensing.licence import SignedLicence, verify_json
from wattkeeper.licensing.signing import TrustedKeys
from wattkeeper.licensing.store import inbox_dir, write_licence


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
