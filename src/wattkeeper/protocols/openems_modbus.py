"""OpenEMS's Modbus/TCP API encoding: record types, big-endian values, undefined markers."""

from __future__ import annotations

import math
import struct
from enum import Enum

#: A value of a record as the channel model holds it (None: undefined).
RecordValue = int | float | str | None

MAX_READ_REGISTERS = 125  # the Modbus limit for one read (FC 3/4)
MAX_WRITE_REGISTERS = 123  # the Modbus limit for one multiple-register write (FC 16)


class ModbusType(Enum):
    """OpenEMS's `ModbusType`: its name in the protocol table and its size in registers."""

    ENUM16 = ("enum16", 1)
    UINT16 = ("uint16", 1)
    UINT32 = ("uint32", 2)
    UINT64 = ("uint64", 4)
    FLOAT32 = ("float32", 2)
    FLOAT64 = ("float64", 4)
    STRING16 = ("string16", 16)

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def words(self) -> int:
        return self.value[1]


_FORMATS = {
    ModbusType.ENUM16: ">H",
    ModbusType.UINT16: ">H",
    ModbusType.UINT32: ">I",
    ModbusType.UINT64: ">Q",
    ModbusType.FLOAT32: ">f",
    ModbusType.FLOAT64: ">d",
}
_FLOATS = frozenset({ModbusType.FLOAT32, ModbusType.FLOAT64})
_UNSIGNED_MAX = {
    ModbusType.ENUM16: 0xFFFF,
    ModbusType.UINT16: 0xFFFF,
    ModbusType.UINT32: 0xFFFF_FFFF,
    ModbusType.UINT64: 0xFFFF_FFFF_FFFF_FFFF,
}
# precompiled: a read of 100 registers encodes some 50 values, on every request
_PACK = {kind: struct.Struct(fmt) for kind, fmt in _FORMATS.items()}
_WORDS = {kind: struct.Struct(f">{kind.words}H") for kind in ModbusType}


def java_string_hash(text: str) -> int:
    """Java's `String.hashCode()` folded to 16 bits, as OpenEMS marks blocks and natures."""
    value = 0
    for char in text:
        value = (31 * value + ord(char)) & 0xFFFF_FFFF
    return value & 0xFFFF


#: register 0 of every OpenEMS Modbus/TCP API: `"OpenEMS".hashCode() & 0xFFFF` = 0x6201
OPENEMS_MARKER = java_string_hash("OpenEMS")


def _undefined(kind: ModbusType) -> tuple[int, ...]:
    if kind is ModbusType.STRING16:
        return (0,) * 16
    if kind in _FLOATS:
        return _WORDS[kind].unpack(_PACK[kind].pack(math.nan))
    return (0xFFFF,) * kind.words


_UNDEFINED = {kind: _undefined(kind) for kind in ModbusType}


def undefined(kind: ModbusType) -> tuple[int, ...]:
    """What OpenEMS sends for a value it does not know: NaN, all ones, or sixteen NULs."""
    return _UNDEFINED[kind]


def encode(kind: ModbusType, value: RecordValue) -> tuple[int, ...]:
    """The registers of one value, high word first; undefined for None or what does not fit."""
    if value is None:
        return _UNDEFINED[kind]
    if kind is ModbusType.STRING16:
        raw = str(value).encode("ascii", "replace")[:32]
        return _WORDS[kind].unpack(raw.ljust(32, b"\0"))
    if isinstance(value, str):
        return _UNDEFINED[kind]
    if kind in _FLOATS:
        try:
            return _WORDS[kind].unpack(_PACK[kind].pack(value))
        except (OverflowError, struct.error):  # beyond float32: unknown, not infinity
            return _UNDEFINED[kind]
    # unsigned types carry a negative value as its two's complement, as Java's casts do
    return _WORDS[kind].unpack(_PACK[kind].pack(round(value) & _UNSIGNED_MAX[kind]))


def decode(kind: ModbusType, registers: list[int]) -> float | int | None:
    """A written value (numbers only; OpenEMS ignores string writes). NaN: None (a release)."""
    if kind is ModbusType.STRING16 or len(registers) != kind.words:
        return None
    raw = b"".join(word.to_bytes(2, "big") for word in registers)
    if kind in (ModbusType.FLOAT32, ModbusType.FLOAT64):
        number = float(struct.unpack(_FORMATS[kind], raw)[0])
        return None if math.isnan(number) else number
    return int.from_bytes(raw, "big")
