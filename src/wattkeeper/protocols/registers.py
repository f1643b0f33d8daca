"""Register tables and their codec: a device described as data, decoded by one engine.

A `RegisterTable` is a list of `Point`s at offsets from the table's first register. The
engine turns a list of register values (16-bit unsigned integers, as Modbus delivers them)
into named values and back:

* integral types apply a decimal scale factor: value = raw × 10^sf, where sf is either a
  constant (`scale=-1`) or the value of another point of the same table (`scale="W_SF"`,
  the SunSpec way);
* "not implemented" markers (SunSpec) decode to None: 0x8000 (int16, sunssf), 0xFFFF
  (uint16, count, enum16, bitfield16), 0x80000000 (int32), 0xFFFFFFFF (uint32, enum32,
  bitfield32), 0x8000000000000000 (int64), 0xFFFFFFFFFFFFFFFF (uint64), 0 (acc16, acc32,
  acc64, as the SunSpec specification says), NaN (float32), all-NUL strings; a value
  whose scale factor is not implemented is None as well;
* 32- and 64-bit values have a word order: BIG (high word first, SunSpec and most
  devices) or LITTLE (low word first); bytes within a register are always big-endian.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

Decoded = int | float | str | None


class RegType(Enum):
    INT16 = "int16"
    UINT16 = "uint16"
    COUNT = "count"  # uint16 giving how often a repeating group repeats (SunSpec)
    INT32 = "int32"
    UINT32 = "uint32"
    INT64 = "int64"
    UINT64 = "uint64"
    ACC16 = "acc16"
    ACC32 = "acc32"
    ACC64 = "acc64"
    FLOAT32 = "float32"
    ENUM16 = "enum16"
    ENUM32 = "enum32"
    BITFIELD16 = "bitfield16"
    BITFIELD32 = "bitfield32"
    SUNSSF = "sunssf"
    STRING = "string"
    PAD = "pad"

    @property
    def words(self) -> int:
        """Registers taken by one value (strings: given per point)."""
        return 4 if self in _QUAD else 2 if self in _WIDE else 1

    @property
    def scalable(self) -> bool:
        return self in _SCALABLE


_WIDE = {
    RegType.INT32,
    RegType.UINT32,
    RegType.ACC32,
    RegType.FLOAT32,
    RegType.ENUM32,
    RegType.BITFIELD32,
}
_QUAD = {RegType.INT64, RegType.UINT64, RegType.ACC64}
_SCALABLE = {
    RegType.INT16,
    RegType.UINT16,
    RegType.INT32,
    RegType.UINT32,
    RegType.INT64,
    RegType.UINT64,
    RegType.ACC16,
    RegType.ACC32,
    RegType.ACC64,
    RegType.FLOAT32,
}
_SIGNED_BITS = {RegType.INT16: 16, RegType.SUNSSF: 16, RegType.INT32: 32, RegType.INT64: 64}

#: Raw values meaning "not implemented" per type (after joining words).
NOT_IMPLEMENTED: dict[RegType, int] = {
    RegType.INT16: 0x8000,
    RegType.SUNSSF: 0x8000,
    RegType.UINT16: 0xFFFF,
    RegType.COUNT: 0xFFFF,
    RegType.ENUM16: 0xFFFF,
    RegType.BITFIELD16: 0xFFFF,
    RegType.INT32: 0x80000000,
    RegType.UINT32: 0xFFFFFFFF,
    RegType.ENUM32: 0xFFFFFFFF,
    RegType.BITFIELD32: 0xFFFFFFFF,
    RegType.INT64: 0x8000000000000000,
    RegType.UINT64: 0xFFFFFFFFFFFFFFFF,
    RegType.ACC16: 0,
    RegType.ACC32: 0,
    RegType.ACC64: 0,
}

_RANGES: dict[RegType, tuple[int, int]] = {
    RegType.INT16: (-0x7FFF, 0x7FFF),
    RegType.SUNSSF: (-10, 10),
    RegType.UINT16: (0, 0xFFFE),
    RegType.COUNT: (0, 0xFFFE),
    RegType.ENUM16: (0, 0xFFFE),
    RegType.BITFIELD16: (0, 0x7FFF),
    RegType.INT32: (-0x7FFFFFFF, 0x7FFFFFFF),
    RegType.UINT32: (0, 0xFFFFFFFE),
    RegType.ENUM32: (0, 0xFFFFFFFE),
    RegType.BITFIELD32: (0, 0x7FFFFFFF),
    RegType.INT64: (-0x7FFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF),
    RegType.UINT64: (0, 0xFFFFFFFFFFFFFFFE),
    RegType.ACC16: (1, 0xFFFF),
    RegType.ACC32: (1, 0xFFFFFFFF),
    RegType.ACC64: (1, 0xFFFFFFFFFFFFFFFF),
}


class WordOrder(Enum):
    BIG = "big"  # high word first
    LITTLE = "little"  # low word first


class Access(Enum):
    R = "R"
    RW = "RW"


class CodecError(ValueError):
    """A value cannot be encoded or a block has the wrong length."""


@dataclass(frozen=True, slots=True)
class Point:
    """One named value at `offset` registers from the start of its table."""

    name: str
    offset: int
    type: RegType
    scale: int | str | None = None  # decimal exponent, or the name of a scale-factor point
    access: Access = Access.R
    unit: str = ""
    size: int = 0  # registers, for strings and padding only
    word_order: WordOrder = WordOrder.BIG
    text: str = ""
    symbols: Mapping[int, str] = field(default_factory=dict)  # enum values / bit names
    mandatory: bool = False  # a device must implement it (SunSpec "M")
    # derived once (decoding runs per point per poll; enum lookups there cost more than I/O)
    words: int = field(init=False, repr=False, compare=False)
    marker: int | None = field(init=False, repr=False, compare=False)
    sign_bits: int = field(init=False, repr=False, compare=False)
    scaled: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kind = self.type
        sized = kind in (RegType.STRING, RegType.PAD)
        object.__setattr__(self, "words", max(self.size, 1) if sized else kind.words)
        object.__setattr__(self, "marker", NOT_IMPLEMENTED.get(kind))
        object.__setattr__(self, "sign_bits", _SIGNED_BITS.get(kind, 0))
        object.__setattr__(self, "scaled", self.scale is not None and kind.scalable)

    @property
    def writable(self) -> bool:
        return self.access is Access.RW


@dataclass(frozen=True)
class RegisterTable:
    """A block of points; offsets count from the block's first register."""

    name: str
    points: tuple[Point, ...]
    by_name: dict[str, Point] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Point] = {}
        for point in self.points:
            if point.name in index:
                raise CodecError(f"{self.name}: point {point.name} is defined twice")
            if isinstance(point.scale, str) and point.scale not in {p.name for p in self.points}:
                raise CodecError(f"{self.name}: {point.name} scales by unknown {point.scale}")
            index[point.name] = point
        object.__setattr__(self, "by_name", index)

    @property
    def length(self) -> int:
        """Registers from offset 0 to the end of the last point."""
        return max((p.offset + p.words for p in self.points), default=0)

    def point(self, name: str) -> Point:
        try:
            return self.by_name[name]
        except KeyError:
            raise CodecError(f"{self.name} has no point {name}") from None

    def decode(self, words: Sequence[int]) -> dict[str, Decoded]:
        """Every point of the table from a block starting at offset 0 (scaled)."""
        if len(words) < self.length:
            raise CodecError(f"{self.name}: need {self.length} registers, got {len(words)}")
        raw = {p.name: decode_raw(p, words[p.offset : p.offset + p.words]) for p in self.points}
        return {p.name: apply_scale(raw[p.name], _scale_of(p, raw)) for p in self.points}

    def encode(
        self, name: str, value: float | int | str, scales: Mapping[str, Decoded] | None = None
    ) -> tuple[int, list[int]]:
        """(offset, registers) writing `value` to point `name`, scaled by the known factors."""
        point = self.point(name)
        if not point.writable:
            raise CodecError(f"{self.name}.{name} is read-only")
        sf: int | None = 0
        if isinstance(point.scale, int):
            sf = point.scale
        elif isinstance(point.scale, str):
            known = (scales or {}).get(point.scale)
            sf = known if isinstance(known, int) else None
        if sf is None:
            raise CodecError(f"{self.name}.{name}: scale factor {point.scale} is unknown")
        return point.offset, encode_value(point, value, sf)


def _scale_of(point: Point, raw: Mapping[str, Decoded]) -> int | None:
    scale = point.scale
    if not point.scaled or scale is None:
        return 0
    if isinstance(scale, int):
        return scale
    sf = raw.get(scale)
    return sf if isinstance(sf, int) else None


def join(words: Sequence[int], order: WordOrder) -> int:
    """Two (or four) registers as one unsigned 32-bit (64-bit) integer."""
    value = 0
    for word in words if order is WordOrder.BIG else reversed(words):
        value = (value << 16) | (word & 0xFFFF)
    return value


def split(value: int, order: WordOrder, words: int = 2) -> list[int]:
    """An unsigned integer as `words` registers."""
    high_first = [(value >> (16 * i)) & 0xFFFF for i in reversed(range(words))]
    return high_first if order is WordOrder.BIG else high_first[::-1]


def decode_raw(point: Point, words: Sequence[int]) -> Decoded:
    """The unscaled value of one point; None for a "not implemented" marker."""
    if len(words) != point.words:
        raise CodecError(f"{point.name}: need {point.words} registers, got {len(words)}")
    kind = point.type
    if kind is RegType.PAD:
        return None
    if kind is RegType.STRING:
        data = b"".join((w & 0xFFFF).to_bytes(2, "big") for w in words)
        text = data.split(b"\x00", 1)[0].decode("utf-8", errors="replace").strip()
        return text or None
    if kind is RegType.FLOAT32:
        number: float = struct.unpack(">f", join(words, point.word_order).to_bytes(4, "big"))[0]
        return None if math.isnan(number) or math.isinf(number) else float(number)
    unsigned = (words[0] & 0xFFFF) if point.words == 1 else join(words, point.word_order)
    if point.marker == unsigned:
        return None
    bits = point.sign_bits
    if bits and unsigned >> (bits - 1):
        return unsigned - (1 << bits)
    return unsigned


def apply_scale(raw: Decoded, sf: int | None) -> Decoded:
    """raw × 10^sf; None if either is unknown; integers stay integers for sf ≥ 0."""
    if raw is None or isinstance(raw, str):
        return raw
    if sf is None:
        return None
    if sf == 0:
        return raw
    if sf > 0:
        scaled: int | float = raw * 10**sf
        return scaled
    return round(raw * 10.0**sf, -sf)


def encode_value(point: Point, value: float | int | str, sf: int = 0) -> list[int]:
    """Registers for `value` (in engineering units) stored with scale factor `sf`."""
    kind = point.type
    if kind is RegType.STRING:
        if not isinstance(value, str):
            raise CodecError(f"{point.name} expects a string")
        data = value.encode("utf-8")
        if len(data) > point.words * 2:
            raise CodecError(f"{point.name}: string longer than {point.words * 2} bytes")
        data = data.ljust(point.words * 2, b"\x00")
        return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]
    if isinstance(value, str) or (isinstance(value, float) and not math.isfinite(value)):
        raise CodecError(f"{point.name} expects a finite number, got {value!r}")
    if kind is RegType.FLOAT32:
        packed = struct.pack(">f", float(value) / 10.0**sf if sf else float(value))
        return split(int.from_bytes(packed, "big"), point.word_order)
    if kind is RegType.PAD:
        raise CodecError(f"{point.name} is padding")
    raw = round(value / 10.0**sf) if sf else round(value)
    low, high = _RANGES[kind]
    if not low <= raw <= high:
        raise CodecError(f"{point.name}: {value} (raw {raw}) is out of range {low}..{high}")
    if kind.words == 1:
        return [raw & 0xFFFF]
    return split(raw & ((1 << (16 * kind.words)) - 1), point.word_order, kind.words)


def not_implemented(point: Point) -> list[int]:
    """The registers of a "not implemented" value of this point (simulators use it)."""
    kind = point.type
    if kind is RegType.FLOAT32:
        return split(0x7FC00000, point.word_order)
    if kind in (RegType.STRING, RegType.PAD):
        return [0] * point.words
    marker = point.marker
    if marker is None:
        raise CodecError(f"{point.name}: type {kind.value} has no not-implemented value")
    return [marker] if point.words == 1 else split(marker, point.word_order, point.words)


@dataclass(frozen=True, slots=True)
class ReadRange:
    """Read `count` registers from `address`."""

    address: int
    count: int

    @property
    def end(self) -> int:
        return self.address + self.count


def plan_reads(
    ranges: Iterable[ReadRange], max_count: int = 125, max_gap: int = 8
) -> list[ReadRange]:
    """Merge wanted ranges into as few requests as possible (≤ max_count registers each,
    bridging gaps of at most `max_gap` unwanted registers); a longer range is split."""
    merged: list[ReadRange] = []
    for item in sorted(ranges, key=lambda r: r.address):
        if merged and item.address <= merged[-1].end + max_gap:
            last = merged[-1]
            end = max(last.end, item.end)
            # overlapping ranges always join (then split below); adjacent ranges and gaps
            # join only if the result still fits one request, so a block stays whole
            if item.address < last.end or end - last.address <= max_count:
                merged[-1] = ReadRange(last.address, end - last.address)
                continue
        merged.append(item)
    plan: list[ReadRange] = []
    for item in merged:
        address = item.address
        while address < item.end:
            count = min(max_count, item.end - address)
            plan.append(ReadRange(address, count))
            address += count
    return plan


def slice_of(blocks: Mapping[int, Sequence[int]], address: int, count: int) -> list[int] | None:
    """Registers address..address+count from read blocks keyed by start address, if covered
    (possibly by several consecutive blocks)."""
    words: list[int] = []
    cursor = address
    while cursor < address + count:
        for start, block in blocks.items():
            if start <= cursor < start + len(block):
                take = min(start + len(block), address + count) - cursor
                words += block[cursor - start : cursor - start + take]
                cursor += take
                break
        else:
            return None
    return words
