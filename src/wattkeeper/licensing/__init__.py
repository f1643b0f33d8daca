"""The edge's licensing: key parsing, licence verification, the wallet and the service client.

The vendor's side (issuing, signing, the licence server) is wattkeeper.licence_vendor.
"""

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
from wattkeeper.licensing.keys import LicenseKey, format_key, parse_key
from wattkeeper.licensing.licence import Licence, SignedLicence, verify_document
from wattkeeper.licensing.offline import import_licence_file
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
    "import_licence_file",
    "load_public_key",
    "parse_key",
    "trusted_keys",
    "verify_document",
]
