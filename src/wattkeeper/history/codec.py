"""Packs one chunk of 1 s samples into a compact blob, and back."""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from itertools import accumulate, pairwise
from typing import Final

# One chunk holds this many one-second slots; it is also the aggregate bucket.
CHUNK_S: Final = 300

_HEADER = struct.Struct("<BBHq")  # format|mask flag, int width, slot count, integer base
_FLOAT64: Final = 0
_FLOAT32: Final = 1
_INT_DELTA: Final = 2
_HAS_MASK: Final = 0x80
_INT_CODES: Final = {1: "b", 2: "h", 4: "i", 8: "q"}
_INT64_MAX: Final = 2**63 - 1
_SWAP: Final = sys.byteorder == "big"  # blobs are little-endian on every machine

Sample = float | int | None


def _bytes(values: array[int] | array[float]) -> bytes:
    if _SWAP:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_bytes(typecode: str, data: bytes) -> array[float] | array[int]:
    values: array[float] | array[int] = array(typecode)
    values.frombytes(data)
    if _SWAP:
        values.byteswap()
    return values


def _int_width(deltas: Sequence[int]) -> int:
    largest = max(max(deltas), -min(deltas))
    for width in (1, 2, 4):
        if largest < 1 << (8 * width - 1):
            return width
    return 8


def encode(values: Sequence[float]) -> bytes:
    """Encode a chunk (NaN = no value) with the narrowest exact representation."""
    present = [v for v in values if v == v]
    mask = b"" if len(present) == len(values) else bytes(v == v for v in values)
    flags = _HAS_MASK if mask else 0
    if present and all(v.is_integer() and abs(v) <= _INT64_MAX for v in present):
        base = int(present[0])
        filled = []
        last = base
        for v in values:
            if v == v:
                last = int(v)
            filled.append(last)  # a gap repeats the last value: a zero delta
        deltas = [0, *(b - a for a, b in pairwise(filled))]
        if max(deltas, default=0) <= _INT64_MAX and min(deltas, default=0) >= -_INT64_MAX:
            width = _int_width(deltas)
            body = _bytes(array(_INT_CODES[width], deltas))
            head = _HEADER.pack(flags | _INT_DELTA, width, len(values), base)
            return head + zlib.compress(mask + body)
    doubles = array("d", values)
    singles = array("f", values)
    if all(a == b for a, b in zip(present, (v for v in singles if v == v), strict=True)):
        head = _HEADER.pack(flags | _FLOAT32, 4, len(values), 0)
        return head + zlib.compress(mask + _bytes(singles))
    head = _HEADER.pack(flags | _FLOAT64, 8, len(values), 0)
    return head + zlib.compress(mask + _bytes(doubles))


def decode(blob: bytes) -> list[Sample]:
    """Decode a chunk blob into one value per slot, None where nothing was recorded."""
    flags, width, count, base = _HEADER.unpack_from(blob)
    payload = zlib.decompress(blob[_HEADER.size :])
    mask = payload[:count] if flags & _HAS_MASK else b""
    body = payload[len(mask) :]
    form = flags & ~_HAS_MASK
    out: list[Sample]
    if form == _INT_DELTA:
        out = list(accumulate(_from_bytes(_INT_CODES[width], body), initial=base))
        del out[0]
    else:
        out = list(_from_bytes("f" if form == _FLOAT32 else "d", body))
    if mask:
        return [v if m else None for v, m in zip(out, mask, strict=True)]
    return out
