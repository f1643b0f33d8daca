"""Licence keys: 16 digits = 3-digit app code + 12 random digits + Damm check digit."""

from __future__ import annotations

from dataclasses import dataclass

from wattkeeper.licensing import damm
from wattkeeper.licensing.apps import app_for_code
from wattkeeper.licensing.errors import KeyFormatError, KeyTypoError, WrongAppError

KEY_LENGTH = 16
_CODE_LENGTH = 3
_DIGITS = frozenset("0123456789")
# People copy keys from PDFs and mails, where dashes turn into en-dashes and groups into spaces.
_SEPARATORS = frozenset(" -\u2013\u00a0")


@dataclass(frozen=True, slots=True)
class LicenseKey:
    """A parsed, check-digit-verified licence key; ``digits`` is the bare 16-digit form."""

    digits: str

    def __post_init__(self) -> None:
        # Construction always goes through the same checks as parsing, so an instance is valid.
        _validate(self.digits)

    @property
    def app_code(self) -> str:
        """The 3-digit app code the key starts with."""
        return self.digits[:_CODE_LENGTH]

    @property
    def app_id(self) -> str:
        """The app this key unlocks."""
        return app_for_code(self.app_code)

    def formatted(self) -> str:
        """The display form ``XXXX-XXXX-XXXX-XXXX``."""
        return format_key(self.digits)

    def require_app(self, app_id: str) -> None:
        """Raise WrongAppError unless this key is for ``app_id``."""
        if self.app_id != app_id:
            raise WrongAppError(f"this key is for app {self.app_id}, not {app_id}")

    def __str__(self) -> str:
        return self.formatted()


def format_key(digits: str) -> str:
    """Group 16 digits as ``XXXX-XXXX-XXXX-XXXX`` (no validation beyond grouping)."""
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _strip(text: str) -> str:
    digits: list[str] = []
    for position, char in enumerate(text.strip(), start=1):
        if char in _DIGITS:
            digits.append(char)
        elif char not in _SEPARATORS:
            raise KeyFormatError(
                f"licence key contains {char!r} at position {position}; "
                "only digits 0-9, spaces and dashes are allowed"
            )
    return "".join(digits)


def _validate(digits: str) -> None:
    if not isinstance(digits, str) or not set(digits) <= _DIGITS:
        raise KeyFormatError("licence key must consist of decimal digits only")
    if len(digits) != KEY_LENGTH:
        raise KeyFormatError(
            f"licence key must have {KEY_LENGTH} digits (XXXX-XXXX-XXXX-XXXX), got {len(digits)}"
        )
    # The typo check comes before the app code lookup: a mistyped first digit would otherwise
    # be reported as an unknown app, which sends the user looking for the wrong problem.
    if not damm.is_valid(digits):
        raise KeyTypoError(
            f"licence key {format_key(digits)} is not valid: the check digit does not match, "
            "so a digit was probably mistyped or two digits swapped; please check the key"
        )
    app_for_code(digits[:_CODE_LENGTH])


def parse_key(text: str) -> LicenseKey:
    """Parse user input into a LicenseKey.

    Tolerates surrounding whitespace and spaces, dashes or en-dashes between digits.
    Raises KeyFormatError, KeyTypoError (bad check digit) or UnknownAppCodeError.
    """
    if not isinstance(text, str):
        raise KeyFormatError(f"licence key must be text, got {type(text).__name__}")
    if not text.strip():
        raise KeyFormatError("licence key is empty")
    return LicenseKey(_strip(text))
