"""Damm check digit: catches every single-digit error and every adjacent transposition."""

from __future__ import annotations

# The order-10 weakly totally anti-symmetric quasigroup from H. Michael Damm's 2004 thesis.
# Its zero diagonal is what lets a string with its check digit appended reduce to 0.
_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def _interim(digits: str) -> int:
    interim = 0
    for char in digits:
        interim = _TABLE[interim][int(char)]
    return interim


def check_digit(digits: str) -> str:
    """Return the Damm check digit for a string of ASCII decimal digits."""
    return str(_interim(digits))


def is_valid(digits: str) -> bool:
    """True if ``digits`` (check digit last) passes the Damm check."""
    return _interim(digits) == 0
