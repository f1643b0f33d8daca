"""The app code table: which 3-digit prefix of a licence key stands for which app."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from wattkeeper.licensing.errors import UnknownAppCodeError, UnknownAppError

# Codes are part of the key format: once a key is out in the world its code must keep
# meaning the same app, so never renumber; only append. 100-999 leaves ~900 slots and
# keeps keys from starting with 0, which spreadsheets like to strip.
_APP_CODES: dict[str, str] = {
    "App.Api.RestJson.ReadWrite": "101",
    "App.Api.ModbusTcp.ReadWrite": "102",
}

APP_CODES: Mapping[str, str] = MappingProxyType(_APP_CODES)
"""App id -> 3-digit app code."""

APPS_BY_CODE: Mapping[str, str] = MappingProxyType({code: app for app, code in _APP_CODES.items()})
"""3-digit app code -> app id."""


def app_code(app_id: str) -> str:
    """Return the 3-digit code for ``app_id``; raise UnknownAppError if it has none."""
    try:
        return APP_CODES[app_id]
    except KeyError:
        known = ", ".join(sorted(APP_CODES))
        raise UnknownAppError(
            f"app {app_id!r} cannot be licensed with a key; licensable apps: {known}"
        ) from None


def app_for_code(code: str) -> str:
    """Return the app id for a 3-digit code; raise UnknownAppCodeError if unassigned."""
    try:
        return APPS_BY_CODE[code]
    except KeyError:
        raise UnknownAppCodeError(
            f"licence key starts with app code {code}, which no app uses; "
            "check the first three digits of the key"
        ) from None
