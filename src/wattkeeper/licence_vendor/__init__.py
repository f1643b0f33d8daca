"""The licence vendor's side: minting keys, signing licences, the vendor DB and licence server.

It builds on the edge's wattkeeper.licensing for the shared facts (key format, licence format,
error codes); the edge never imports this package (an import-linter contract enforces both).
"""

from wattkeeper.licence_vendor.demo import DEMO_WARNING, demo_signing_key
from wattkeeper.licence_vendor.minting import generate_key, sign_licence
from wattkeeper.licence_vendor.offline import OfflineIssue, issue_offline
from wattkeeper.licence_vendor.service import LicenceService
from wattkeeper.licence_vendor.signing_keys import load_private_key, public_key_b64
from wattkeeper.licence_vendor.vendor_db import VendorDB

__all__ = [
    "DEMO_WARNING",
    "LicenceService",
    "OfflineIssue",
    "VendorDB",
    "demo_signing_key",
    "generate_key",
    "issue_offline",
    "load_private_key",
    "public_key_b64",
    "sign_licence",
]
