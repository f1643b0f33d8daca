"""Packs one chunk of 1 s samples into a compact blob, and back."""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from itertools import compress
from math import isnan
from operator import not_ as _not
from typing import Final, cast

# One chunk holds this many one-second slots; it is also the aggregate bucket.
CHUNK_S: Final = 300

_HEADER = struct.Struct("<BBH")  # format | mask flag, bytes per value, slot count
_FLOAT64: Final = 0
_FLOAT32: Final = 1
_INTEGER: Final = 2
_HAS_MASK: Final = 0x80
_CODES: Final = {
    (_INTEGER, 1): "b",
    (_INTEGER, 2): "h",
    (_INTEGER, 4): "i",
    (_INTEGER, 8): "q",
    (_FLOAT32, 4): "f",
    (_FLOAT64, 8): "d",
}
_SWAP: Final = sys.byteorder == "big"  # blobs are little-endian on every machine

Sample = float | int | None


def _bytes(values: array[int] | array[float]) -> bytes:
    if _SWAP:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _integers(present: list[float]) -> tuple[list[int], int] | None:
    """The values as ints and the narrowest width holding them, or None if not integral."""
    try:
        ints = list(map(int, present))
    except OverflowError:  # infinity
        return None
    if ints != present:
        return None
    largest = max(max(ints, default=0), -min(ints, default=0))
    for width in (1, 2, 4, 8):
        if largest < 1 << (8 * width - 1):
            return ints, width
    return None


def encode(values: Sequence[float]) -> bytes:
    """Encode a chunk (NaN = no value) with the narrowest exact representation.

    Only present values are stored, after a one-byte-per-slot mask when there are gaps.
    Integral values (OpenEMS channels mostly are: W, Wh, %) become 1-8 byte integers;
    zlib then squeezes the repetition of a slowly changing signal.
    """
    # map/compress keep the per-slot work in C: a flush encodes 30 chunks every 5 s.
    present_at = bytes(map(_not, map(isnan, values)))
    present = list(compress(values, present_at))
    mask = b"" if len(present) == len(values) else present_at
    flags = _HAS_MASK if mask else 0
    packed: array[int] | array[float]
    integers = _integers(present)
    if integers is not None:
        form, width = _INTEGER, integers[1]
        packed = array(_CODES[form, width], integers[0])
    else:
        packed = array("f", present)
        form, width = _FLOAT32, 4
        if packed.tolist() != present:
            packed = array("d", present)
            form, width = _FLOAT64, 8
    head = _HEADER.pack(flags | form, width, len(values))
    return head + zlib.compress(mask + _bytes(packed))


def decode(blob: bytes) -> list[Sample]:
    """Decode a chunk blob into one value per slot, None where nothing was recorded.

    Integral chunks decode to ints: converting 1.7 M samples of a full-resolution day to
    float would add a quarter to the query time, and JSON does not tell them apart.
    """
    flags, width, count = _HEADER.unpack_from(blob)
    payload = zlib.decompress(blob[_HEADER.size :])
    mask = payload[:count] if flags & _HAS_MASK else b""
    packed: array[int] | array[float] = array(_CODES[flags & ~_HAS_MASK, width])
    packed.frombytes(payload[len(mask) :])
    if _SWAP:
        packed.byteswap()
    present = cast(list[Sample], packed.tolist())
    if not mask:
        return present
    values = iter(present)
    return [next(values) if slot else None for slot in mask]
