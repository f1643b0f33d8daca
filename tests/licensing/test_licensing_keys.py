"""Licence key format: grouping, separators, Damm check digit, app codes."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.licensing.licensing_support import MODBUS, REST
from wattkeeper.licence_vendor.minting import generate_key
from wattkeeper.licensing import damm
from wattkeeper.licensing.apps import APP_CODES
from wattkeeper.licensing.errors import (
    KeyFormatError,
    KeyTypoError,
    LicenseKeyTypo,
    UnknownAppCodeError,
    WrongAppError,
)
from wattkeeper.licensing.keys import LicenseKey, parse_key


def with_check(body: str) -> str:
    return body + damm.check_digit(body)


# Fixed keys make the exhaustive checks reproducible; seeded ones add variety (seeded, so that
# every test process, e.g. each xdist worker, collects the same keys).
FIXED_KEYS = [
    with_check("101000000000000"),
    with_check("101999999999999"),
    with_check("102123456789012"),
    with_check("101575757575757"),
]
_SEEDED = random.Random(20261207)
KEYS = FIXED_KEYS + [
    with_check(APP_CODES[app] + f"{_SEEDED.randrange(10**12):012d}")
    for app in APP_CODES
    for _ in range(8)
]


def test_damm_known_vector() -> None:
    # Worked example from Damm's description: 572 -> check digit 4.
    assert damm.check_digit("572") == "4"
    assert damm.is_valid("5724")
    assert not damm.is_valid("5723")


@pytest.mark.parametrize("digits", KEYS)
def test_every_single_digit_error_is_a_typo(digits: str) -> None:
    parse_key(digits)
    for position in range(16):
        for replacement in "0123456789":
            if replacement == digits[position]:
                continue
            mutated = digits[:position] + replacement + digits[position + 1 :]
            with pytest.raises(KeyTypoError, match="mistyped"):
                parse_key(mutated)


@pytest.mark.parametrize("digits", KEYS)
def test_every_adjacent_transposition_is_a_typo(digits: str) -> None:
    swaps = 0
    for position in range(15):
        a, b = digits[position], digits[position + 1]
        if a == b:
            continue
        swapped = digits[:position] + b + a + digits[position + 2 :]
        swaps += 1
        with pytest.raises(KeyTypoError):
            parse_key(swapped)
    assert swaps > 0 or len(set(digits[3:])) == 1


@given(st.sampled_from(sorted(APP_CODES.values())), st.text("0123456789", min_size=12, max_size=12))
def test_any_body_with_check_digit_parses(code: str, random_part: str) -> None:
    digits = with_check(code + random_part)
    assert parse_key(digits) == LicenseKey(digits)


@pytest.mark.parametrize(
    "template",
    [
        "{0}-{1}-{2}-{3}",
        "{0} {1} {2} {3}",
        "{0}–{1}–{2}–{3}",  # en-dashes, as produced by word processors
        "  {0}{1}{2}{3}\n",
        "\t{0} - {1} - {2} - {3} ",
        "{0}-{1} {2}–{3}",
    ],
)
def test_separators_and_whitespace_are_tolerated(template: str) -> None:
    digits = FIXED_KEYS[2]
    groups = [digits[i : i + 4] for i in range(0, 16, 4)]
    assert parse_key(template.format(*groups)).digits == digits


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("1010-0000-0000-000", "16 digits.*got 15"),
        ("1010-0000-0000-00000", "16 digits.*got 17"),
        ("1010-0000-0000-000O", "'O' at position 19"),
        ("1010_0000_0000_0000", "'_' at position 5"),
        ("1010-0000-0000-000١", "'١'"),  # Arabic-Indic digit: isdigit() but not a key digit
    ],
)
def test_malformed_keys_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message):
        parse_key(text)


def test_non_text_is_a_format_error() -> None:
    with pytest.raises(KeyFormatError, match="must be text"):
        parse_key(1010000000000000)  # type: ignore[arg-type]


def test_unknown_app_code_is_reported_after_the_typo_check() -> None:
    valid_but_unassigned = with_check("999123456789012")
    with pytest.raises(UnknownAppCodeError, match="app code 999"):
        parse_key(valid_but_unassigned)
    # A typo in such a key is still reported as a typo, not as an unknown app.
    with pytest.raises(KeyTypoError):
        parse_key("1" + valid_but_unassigned[1:])


def test_key_for_another_app_is_refused_offline() -> None:
    key = parse_key(generate_key(MODBUS).formatted())
    key.require_app(MODBUS)
    with pytest.raises(WrongAppError, match=f"this key is for app {MODBUS}, not {REST}"):
        key.require_app(REST)


def test_typo_alias_names_the_same_class() -> None:
    assert LicenseKeyTypo is KeyTypoError
