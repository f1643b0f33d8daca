"""Values written from outside are validated against the channel's type."""

from __future__ import annotations

import math

import pytest

from wattkeeper.core.channel import AccessMode, Channel, ChannelDoc, ChannelType, coerce
from wattkeeper.core.errors import WriteRejected

INT = ChannelDoc("P", ChannelType.INTEGER, access=AccessMode.WRITE_ONLY)


@pytest.mark.parametrize(
    ("raw", "expected"), [(5000, 5000), (5000.4, 5000), (-2.6, -3), (None, None)]
)
def test_integer_accepts_numbers_and_rounds(raw, expected) -> None:
    assert coerce(INT, raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("5000", "expects a number, got a string"),
        (True, "got a boolean"),
        (math.nan, "finite"),
        (math.inf, "finite"),
        (2**31, "out of range"),
        ({"a": 1}, "got an object"),
        ([1], "got an array"),
    ],
)
def test_integer_refuses_bad_values(raw, message) -> None:
    with pytest.raises(WriteRejected, match=message):
        coerce(INT, raw)


def test_short_and_boolean_ranges() -> None:
    with pytest.raises(WriteRejected, match=r"-32768\.\.32767"):
        coerce(ChannelDoc("S", ChannelType.SHORT), 40_000)
    assert coerce(ChannelDoc("B", ChannelType.BOOLEAN), True) == 1
    with pytest.raises(WriteRejected):
        coerce(ChannelDoc("B", ChannelType.BOOLEAN), 2)


def test_read_only_channel_refuses_writes() -> None:
    channel = Channel("ess0", ChannelDoc("Soc", ChannelType.INTEGER))
    with pytest.raises(WriteRejected, match=r"\[ess0/Soc\] is read-only"):
        channel.write(5)
