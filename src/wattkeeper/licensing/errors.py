"""Typed errors of the licensing subsystem, one small hierarchy rooted at LicenseError."""

from __future__ import annotations


class LicenseError(Exception):
    """Base class: every licensing failure carries a message meant for the user.

    ``code`` is a stable machine-readable name, used as the JSON error code by the
    licence service and mapped back to the same class by the client.
    """

    code = "license_error"
    http_status = 400


class KeyFormatError(LicenseError):
    """The text is not shaped like a licence key (wrong characters or length)."""

    code = "key_format"


class KeyTypoError(LicenseError):
    """The key is well-formed but its check digit does not match: almost surely a typo."""

    code = "key_typo"


# The brief named this error both ways; keep one class and let either name work.
LicenseKeyTypo = KeyTypoError


class UnknownAppCodeError(KeyFormatError):
    """The key's app code is not in the app code table."""

    code = "unknown_app_code"


class UnknownAppError(LicenseError):
    """An app id has no app code, so no key can exist for it."""

    code = "unknown_app"


class WrongAppError(LicenseError):
    """The key or licence belongs to a different app than the one being unlocked."""

    code = "wrong_app"


class UnknownKeyError(LicenseError):
    """The key was never issued (or no licence for it is available offline)."""

    code = "unknown_key"
    http_status = 404


class AlreadyRedeemedError(LicenseError):
    """The key is already bound to another edge."""

    code = "already_redeemed"
    http_status = 409


class WrongEdgeError(LicenseError):
    """A licence is bound to a different edge than this one."""

    code = "wrong_edge"
    http_status = 409


class InvalidSignatureError(LicenseError):
    """A licence is forged, altered, malformed or signed by an untrusted vendor key."""

    code = "invalid_signature"


class LicenseServiceUnavailable(LicenseError):
    """The licence service could not be reached or answered something unusable."""

    code = "service_unavailable"
    http_status = 503


class MalformedLicenceError(InvalidSignatureError):
    """A licence document is not valid JSON or lacks/mistypes a field, so it cannot be trusted."""

    code = "malformed_licence"


class VendorKeyError(LicenseError):
    """A vendor key (PEM or base64) could not be loaded or is not Ed25519."""

    code = "vendor_key"


class InvalidEdgeIdError(LicenseError):
    """An edge id is empty, too long or contains control characters."""

    code = "invalid_edge_id"


class LicenceFileError(LicenseError):
    """A licence file could not be read."""

    code = "licence_file"
