"""The edge's licence wallet in DATA_DIR/licenses: redeem keys, keep and re-verify licences."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from wattkeeper.licensing.client import DEFAULT_TIMEOUT_S, LicenceServiceClient
from wattkeeper.licensing.demo_vendor import default_trusted_keys
from wattkeeper.licensing.errors import (
    InvalidSignatureError,
    LicenceFileError,
    LicenseError,
    UnknownKeyError,
    WrongAppError,
    WrongEdgeError,
)
from wattkeeper.licensing.keys import LicenseKey, parse_key
from wattkeeper.licensing.licence import SignedLicence, verify_document, verify_json
from wattkeeper.licensing.offline import import_licence_file
from wattkeeper.licensing.signing import TrustedKeys
from wattkeeper.licensing.store import inbox_dir, licence_file_name, redeemed_dir, write_licence

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RejectedFile:
    """A file in the wallet that failed verification, and why (for display to the user)."""

    path: Path
    reason: str


class LicenceWallet:
    """Verified licences of one edge, stored as files under ``DATA_DIR/licenses``.

    Nothing is trusted because it is on disk: every read re-verifies the signature against
    ``trusted`` (default: the demo vendor's public key), so a hand-edited file is rejected.
    Methods block (file and network I/O); call them via a thread from async code.
    """

    def __init__(
        self,
        data_dir: Path | str,
        trusted: TrustedKeys | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.trusted: TrustedKeys = default_trusted_keys() if trusted is None else trusted
        self._timeout = timeout

    def redeem(
        self, key: str, app_id: str, edge_id: str, service_url: str | None = None
    ) -> SignedLicence:
        """Unlock ``app_id`` on ``edge_id`` with the key the user typed.

        Order: key format and check digit (KeyTypoError), app code (WrongAppError), then an
        offline licence file in the inbox, then the licence service at ``service_url``.
        The verified licence is stored in ``redeemed/`` and returned.
        """
        parsed = parse_key(key)
        parsed.require_app(app_id)
        existing = self._existing(parsed)
        if existing is not None and existing.licence.allows(app_id, edge_id):
            return existing
        signed = self._read(inbox_dir(self.data_dir), parsed)
        if signed is None:
            signed = self._ask_service(parsed, app_id, edge_id, service_url)
        self._check_for(signed, parsed, app_id, edge_id)
        write_licence(redeemed_dir(self.data_dir), signed)
        return signed

    def _existing(self, key: LicenseKey) -> SignedLicence | None:
        try:
            return self._read(redeemed_dir(self.data_dir), key)
        except LicenseError as exc:
            # A damaged stored licence must not block redeeming again; it gets overwritten.
            log.warning("stored licence for key %s is invalid: %s", key.formatted(), exc)
            return None

    def _ask_service(
        self, key: LicenseKey, app_id: str, edge_id: str, service_url: str | None
    ) -> SignedLicence:
        if service_url is None:
            raise UnknownKeyError(
                f"no licence file for key {key.formatted()} on this edge and no licence "
                "service configured; import the licence file that came with the key"
            )
        client = LicenceServiceClient(service_url, timeout=self._timeout)
        document = client.redeem(key.digits, app_id, edge_id)
        # The service is not trusted blindly either: its answer must carry a vendor signature.
        try:
            return verify_document(document, self.trusted)
        except InvalidSignatureError as exc:
            raise InvalidSignatureError(f"licence from {service_url} rejected: {exc}") from exc

    @staticmethod
    def _check_for(signed: SignedLicence, key: LicenseKey, app_id: str, edge_id: str) -> None:
        licence = signed.licence
        if licence.key != key.digits:
            raise InvalidSignatureError(
                f"licence is for key {licence.key}, not for the key entered ({key.digits})"
            )
        if licence.app_id != app_id:
            raise WrongAppError(f"this licence is for app {licence.app_id}, not {app_id}")
        if licence.edge_id not in (None, edge_id):
            raise WrongEdgeError(
                f"licence for key {key.formatted()} is bound to edge {licence.edge_id!r}, "
                f"not to this edge {edge_id!r}"
            )

    def _read(self, folder: Path, key: LicenseKey) -> SignedLicence | None:
        path = folder / licence_file_name(key.digits)
        if not path.exists():
            return None
        return self._load(path)

    def _load(self, path: Path) -> SignedLicence:
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise LicenceFileError(f"cannot read licence file {path}: {exc.strerror}") from exc
        signed = verify_json(text, self.trusted)
        if path.name != licence_file_name(signed.licence.key):
            raise InvalidSignatureError(f"licence file {path.name} holds key {signed.licence.key}")
        return signed

    def import_file(self, path: Path | str) -> SignedLicence:
        """Verify a licence file from elsewhere and put it in the inbox for ``redeem``."""
        return import_licence_file(path, self.data_dir, self.trusted)

    def _scan(self) -> tuple[list[SignedLicence], list[RejectedFile]]:
        valid: list[SignedLicence] = []
        rejected: list[RejectedFile] = []
        folder = redeemed_dir(self.data_dir)
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                valid.append(self._load(path))
            except LicenseError as exc:
                log.warning("ignoring licence file %s: %s", path, exc)
                rejected.append(RejectedFile(path, str(exc)))
        return valid, rejected

    def list_licences(self) -> list[SignedLicence]:
        """Redeemed licences that verify now; invalid files are skipped (see rejected_files)."""
        return self._scan()[0]

    def rejected_files(self) -> list[RejectedFile]:
        """Files in ``redeemed/`` that failed verification, with the reason."""
        return self._scan()[1]

    def has_valid_licence(self, app_id: str, edge_id: str) -> bool:
        """True if a verified redeemed licence unlocks ``app_id`` on ``edge_id``."""
        return any(s.licence.allows(app_id, edge_id) for s in self.list_licences())
