"""Licensing: licence keys, vendor-signed licences, the licence service and the edge wallet."""

from wattkeeper.licensing.apps import APP_CODES, app_code, app_for_code
from wattkeeper.licensing.demo_vendor import default_trusted_keys
from wattkeeper.licensing.errors import (
    AlreadyRedeemedError,
    InvalidEdgeIdError,
    InvalidSignatureError,
    KeyFormatError,
    KeyTypoError,
    LicenceFileError,
    LicenseError,
    LicenseKeyTypo,
    LicenseServiceUnavailable,
    MalformedLicenceError,
    UnknownAppCodeError,
    UnknownAppError,
    UnknownKeyError,
    VendorKeyError,
    WrongAppError,
    WrongEdgeError,
)
from wattkeeper.licensing.keys import LicenseKey, format_key, generate_key, parse_key
from wattkeeper.licensing.licence import Licence, SignedLicence, sign_licence, verify_document
from wattkeeper.licensing.offline import OfflineIssue, import_licence_file, issue_offline
from wattkeeper.licensing.signing import TrustedKeys, load_public_key, trusted_keys
from wattkeeper.licensing.wallet import LicenceWallet, RejectedFile

__all__ = [
    "APP_CODES",
    "AlreadyRedeemedError",
    "InvalidEdgeIdError",
    "InvalidSignatureError",
    "KeyFormatError",
    "KeyTypoError",
    "Licence",
    "LicenceFileError",
    "LicenceWallet",
    "LicenseError",
    "LicenseKey",
    "LicenseKeyTypo",
    "LicenseServiceUnavailable",
    "MalformedLicenceError",
    "OfflineIssue",
    "RejectedFile",
    "SignedLicence",
    "TrustedKeys",
    "UnknownAppCodeError",
    "UnknownAppError",
    "UnknownKeyError",
    "VendorKeyError",
    "WrongAppError",
    "WrongEdgeError",
    "app_code",
    "app_for_code",
    "default_trusted_keys",
    "format_key",
    "generate_key",
    "import_licence_file",
    "issue_offline",
    "load_public_key",
    "parse_key",
    "sign_licence",
    "trusted_keys",
    "verify_document",
]
