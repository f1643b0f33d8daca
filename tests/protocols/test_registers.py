"""The register codec on raw registers: types, word order, scale factors, markers."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wattkeeper.protocols.registers import (
    Access,
    CodecError,
    Point,
    ReadRange,
    RegisterTable,
    RegType,
    WordOrder,
    apply_scale,
    decode_raw,
    encode_value,
    not_implemented,
    plan_reads,
    slice_of,
)


def p(kind: RegType, **kw: object) -> Point:
    return Point("x", 0, kind, **kw)  # type: ignore[arg-type]


def float_words(value: float) -> list[int]:
    raw = struct.unpack(">I", struct.pack(">f", value))[0]
    return [raw >> 16, raw & 0xFFFF]


@pytest.mark.parametrize(
    ("kind", "words", "expected"),
    [
        (RegType.INT16, [0x0001], 1),
        (RegType.INT16, [0xFFFF], -1),
        (RegType.INT16, [0x8001], -32767),
        (RegType.INT16, [0x7FFF], 32767),
        (RegType.UINT16, [0xFFFE], 65534),
        (RegType.UINT16, [0x0000], 0),
        (RegType.ENUM16, [4], 4),
        (RegType.BITFIELD16, [0x0003], 3),
        (RegType.SUNSSF, [0xFFFE], -2),
        (RegType.INT32, [0xFFFF, 0xFFFE], -2),
        (RegType.INT32, [0x0001, 0x0000], 65536),
        (RegType.UINT32, [0x0001, 0x0002], 65538),
        (RegType.ACC32, [0x0000, 0x0064], 100),
        (RegType.BITFIELD32, [0x0000, 0x0001], 1),
    ],
)
def test_integral_types(kind: RegType, words: list[int], expected: int) -> None:
    assert decode_raw(p(kind), words) == expected


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (RegType.INT16, [0x8000]),
        (RegType.SUNSSF, [0x8000]),
        (RegType.UINT16, [0xFFFF]),
        (RegType.ENUM16, [0xFFFF]),
        (RegType.BITFIELD16, [0xFFFF]),
        (RegType.INT32, [0x8000, 0x0000]),
        (RegType.UINT32, [0xFFFF, 0xFFFF]),
        (RegType.BITFIELD32, [0xFFFF, 0xFFFF]),
        (RegType.ACC32, [0x0000, 0x0000]),
        (RegType.FLOAT32, [0x7FC0, 0x0000]),
    ],
)
def test_not_implemented_markers_decode_to_none(kind: RegType, words: list[int]) -> None:
    assert decode_raw(p(kind), words) is None
    assert decode_raw(p(kind), not_implemented(p(kind))) is None


def test_word_order() -> None:
    assert decode_raw(p(RegType.UINT32), [0x0001, 0x0002]) == 0x00010002
    little = p(RegType.UINT32, word_order=WordOrder.LITTLE)
    assert decode_raw(little, [0x0002, 0x0001]) == 0x00010002
    assert decode_raw(p(RegType.INT32, word_order=WordOrder.LITTLE), [0xFFFE, 0xFFFF]) == -2
    flt = float_words(1234.5)
    assert decode_raw(p(RegType.FLOAT32), flt) == 1234.5
    assert decode_raw(p(RegType.FLOAT32, word_order=WordOrder.LITTLE), flt[::-1]) == 1234.5
    assert encode_value(little, 0x00010002) == [0x0002, 0x0001]


def test_float32() -> None:
    assert decode_raw(p(RegType.FLOAT32), float_words(-0.5)) == -0.5
    assert decode_raw(p(RegType.FLOAT32), float_words(math.inf)) is None
    assert encode_value(p(RegType.FLOAT32), 1234.5) == float_words(1234.5)


def test_strings() -> None:
    point = p(RegType.STRING, size=4)
    words = [0x5761, 0x7474, 0x6B00, 0x0000]  # "Wattk"
    assert decode_raw(point, words) == "Wattk"
    assert decode_raw(point, [0, 0, 0, 0]) is None
    assert decode_raw(point, [0x2020, 0x4142, 0x2000, 0]) == "AB"
    assert encode_value(point, "Wattk") == words
    with pytest.raises(CodecError):
        encode_value(point, "longer than eight")


def test_scale_factors() -> None:
    assert apply_scale(2300, -1) == 230.0
    assert apply_scale(5, 2) == 500
    assert isinstance(apply_scale(5, 2), int)
    assert apply_scale(-4000, -2) == -40.0
    assert apply_scale(12, None) is None
    assert apply_scale(None, -1) is None
    assert apply_scale(7, 0) == 7


TABLE = RegisterTable(
    "demo",
    (
        Point("W", 0, RegType.INT16, "W_SF", access=Access.RW),
        Point("W_SF", 1, RegType.SUNSSF),
        Point("V", 2, RegType.UINT16, -1),
        Point("Wh", 3, RegType.ACC32, 3),
        Point("Name", 5, RegType.STRING, size=2),
        Point("Mode", 7, RegType.ENUM16, access=Access.RW),
    ),
)


def test_table_decode_applies_scale_registers_and_constants() -> None:
    values = TABLE.decode([0xFF38, 0xFFFF, 2301, 0x0000, 0x0010, 0x4142, 0x0000, 3])
    assert values == {
        "W": -20.0,
        "W_SF": -1,
        "V": 230.1,
        "Wh": 16_000,
        "Name": "AB",
        "Mode": 3,
    }


def test_table_value_with_unimplemented_scale_factor_is_none() -> None:
    values = TABLE.decode([100, 0x8000, 0xFFFF, 0, 0, 0, 0, 0xFFFF])
    assert values["W"] is None
    assert values["W_SF"] is None
    assert values["V"] is None
    assert values["Wh"] is None
    assert values["Name"] is None
    assert values["Mode"] is None


def test_table_encode() -> None:
    assert TABLE.encode("W", -20.0, {"W_SF": -1}) == (0, [0xFF38])
    assert TABLE.encode("Mode", 2) == (7, [2])
    with pytest.raises(CodecError, match="read-only"):
        TABLE.encode("V", 230)
    with pytest.raises(CodecError, match="scale factor"):
        TABLE.encode("W", 1, {"W_SF": None})
    with pytest.raises(CodecError, match="out of range"):
        TABLE.encode("W", 5000, {"W_SF": -1})
    with pytest.raises(CodecError):
        TABLE.decode([0, 0])


def test_table_rejects_bad_definitions() -> None:
    with pytest.raises(CodecError, match="twice"):
        RegisterTable("bad", (Point("a", 0, RegType.INT16), Point("a", 1, RegType.INT16)))
    with pytest.raises(CodecError, match="unknown"):
        RegisterTable("bad", (Point("a", 0, RegType.INT16, "a_SF"),))


@given(st.integers(-0x7FFF, 0x7FFF), st.integers(-4, 4))
def test_int16_round_trip(raw: int, sf: int) -> None:
    point = p(RegType.INT16)
    value = apply_scale(raw, sf)
    assert isinstance(value, int | float)
    words = encode_value(point, value, sf)
    assert decode_raw(point, words) == raw


@given(st.integers(-0x7FFFFFFF, 0x7FFFFFFF), st.sampled_from(list(WordOrder)))
def test_int32_round_trip(raw: int, order: WordOrder) -> None:
    point = p(RegType.INT32, word_order=order)
    assert decode_raw(point, encode_value(point, raw)) == raw


def test_plan_reads_merges_and_splits() -> None:
    plan = plan_reads([ReadRange(40070, 52), ReadRange(40122, 26)])
    assert plan == [ReadRange(40070, 78)]
    plan = plan_reads([ReadRange(0, 10), ReadRange(100, 10)])
    assert plan == [ReadRange(0, 10), ReadRange(100, 10)]
    plan = plan_reads([ReadRange(0, 100), ReadRange(102, 100)])
    assert plan == [ReadRange(0, 100), ReadRange(102, 100)]
    assert plan_reads([ReadRange(0, 300)]) == [
        ReadRange(0, 125),
        ReadRange(125, 125),
        ReadRange(250, 50),
    ]
    blocks = {10: [1, 2, 3, 4]}
    assert slice_of(blocks, 11, 2) == [2, 3]
    assert slice_of(blocks, 12, 4) is None
    assert slice_of({10: [1, 2], 12: [3, 4], 20: [9]}, 11, 3) == [2, 3, 4]


@given(
    st.lists(
        st.tuples(st.integers(0, 2000), st.integers(1, 300)).map(lambda t: ReadRange(*t)),
        min_size=1,
        max_size=12,
    )
)
def test_plan_reads_covers_everything_within_the_limit(ranges: list[ReadRange]) -> None:
    plan = plan_reads(ranges, max_count=125, max_gap=8)
    assert all(1 <= r.count <= 125 for r in plan)
    covered = {a for r in plan for a in range(r.address, r.end)}
    wanted = {a for r in ranges for a in range(r.address, r.end)}
    assert wanted <= covered
    assert len(covered) == sum(r.count for r in plan)  # no register is read twice
