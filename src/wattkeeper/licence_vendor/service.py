"""The vendor's licence service logic: issue keys and turn redemptions into signed licences."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wattkeeper.licence_vendor.minting import sign_licence
from wattkeeper.licence_vendor.vendor_db import IssuedKey, VendorDB
from wattkeeper.licensing.errors import InvalidEdgeIdError
from wattkeeper.licensing.keys import LicenseKey, parse_key
from wattkeeper.licensing.licence import Clock, SignedLicence, utc_now

_MAX_EDGE_ID_LENGTH = 200


def check_edge_id(edge_id: str) -> str:
    """Refuse edge ids that cannot be a real edge's id (empty, huge, control characters)."""
    if not edge_id.strip():
        raise InvalidEdgeIdError("edge id must not be empty")
    if len(edge_id) > _MAX_EDGE_ID_LENGTH or not edge_id.isprintable():
        raise InvalidEdgeIdError(
            f"edge id must be printable text of at most {_MAX_EDGE_ID_LENGTH} characters"
        )
    return edge_id


def checked_request(key_text: str, app_id: str, edge_id: str) -> LicenseKey:
    """The key of a redemption request, checked before any storage is asked.

    Checks run cheapest and most helpful first: key format and typo, app, edge id.
    """
    key = parse_key(key_text)
    key.require_app(app_id)
    check_edge_id(edge_id)
    return key


class LicenceService:
    """Issues keys into the vendor DB and redeems them into licences signed by the vendor key."""

    def __init__(
        self, db_path: Path | str, signing_key: Ed25519PrivateKey, clock: Clock = utc_now
    ) -> None:
        self.db = VendorDB(db_path, clock=clock)
        self._signing_key = signing_key

    def issue(self, app_id: str) -> IssuedKey:
        """Issue a new key for ``app_id``."""
        return self.db.issue(app_id)

    def redeem(self, key_text: str, app_id: str, edge_id: str) -> SignedLicence:
        """Bind the key to ``edge_id`` and return a licence signed for that edge.

        The request is checked first (``checked_request``), then the DB.
        Redeeming again on the same edge returns the same licence (same timestamp).
        """
        key = checked_request(key_text, app_id, edge_id)
        redemption = self.db.redeem(key, edge_id)
        return sign_licence(self._signing_key, key, redemption.edge_id, redemption.redeemed_at)
