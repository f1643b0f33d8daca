"""Packs one chunk of 1 s samples into a compact blob, and back."""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections.abc import Sequence
from itertools import accumulate, compress
from math import isnan
from operator import not_ as _not
from operator import sub
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
    largest = max(max(deltas, default=0), -min(deltas, default=0))
    for width in (1, 2, 4):
        if largest < 1 << (8 * width - 1):
            return width
    return 8


def _integers(present: list[float]) -> list[int] | None:
    """The values as ints if every one is integral and fits 64 bits, else None."""
    try:
        ints = list(map(int, present))
    except OverflowError:  # infinity
        return None
    if ints != present or (ints and max(map(abs, ints)) > _INT64_MAX // 2):
        return None
    return ints


def encode(values: Sequence[float]) -> bytes:
    """Encode a chunk (NaN = no value) with the narrowest exact representation.

    Only present values are stored, after a one-byte-per-slot mask when there are gaps;
    integral values (OpenEMS channels mostly are: W, Wh, %) become small deltas.
    """
    # map/compress keep the per-slot work in C: a flush encodes 30 chunks every 5 s.
    present_at = bytes(map(_not, map(isnan, values)))
    present = list(compress(values, present_at))
    mask = b"" if len(present) == len(values) else present_at
    flags = _HAS_MASK if mask else 0
    ints = _integers(present)
    if ints is not None:
        base = ints[0] if ints else 0
        deltas = [0, *map(sub, ints[1:], ints[:-1])] if ints else []
        width = _int_width(deltas)
        body = _bytes(array(_INT_CODES[width], deltas))
        return _HEADER.pack(flags | _INT_DELTA, width, len(values), base) + zlib.compress(
            mask + body
        )
    singles = array("f", present)
    if singles.tolist() == present:
        head = _HEADER.pack(flags | _FLOAT32, 4, len(values), 0)
        return head + zlib.compress(mask + _bytes(singles))
    head = _HEADER.pack(flags | _FLOAT64, 8, len(values), 0)
    return head + zlib.compress(mask + _bytes(array("d", present)))


def decode(blob: bytes) -> list[Sample]:
    """Decode a chunk blob into one value per slot, None where nothing was recorded."""
    flags, width, count, base = _HEADER.unpack_from(blob)
    payload = zlib.decompress(blob[_HEADER.size :])
    mask = payload[:count] if flags & _HAS_MASK else b""
    body = payload[len(mask) :]
    form = flags & ~_HAS_MASK
    present: list[Sample]
    if form == _INT_DELTA:
        # Floats like every other path, so raw and aggregate answers look the same.
        present = list(map(float, accumulate(_from_bytes(_INT_CODES[width], body), initial=base)))
        del present[0]
    else:
        present = list(_from_bytes("f" if form == _FLOAT32 else "d", body))
    if not mask:
        return present
    values = iter(present)
    return [next(values) if slot else None for slot in mask]
