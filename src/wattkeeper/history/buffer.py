"""In-memory chunks of the samples recorded since the last commit."""

import math
from collections.abc import Container, Mapping
from math import isfinite
from typing import Final

from wattkeeper.history.codec import CHUNK_S
from wattkeeper.history.stats import Stats

_NAN: Final = math.nan
_NUMBERS: Final = (float, int, bool)

Column = list[float]
"""CHUNK_S slots of one channel, NaN where nothing was recorded."""


class CycleBuffer:
    """Collects cycles into whole chunks so that a flush writes one row per channel."""

    def __init__(self) -> None:
        self.chunks: dict[int, dict[str, Column]] = {}
        self.first_ts: float | None = None
        """Timestamp of the oldest cycle not yet committed."""
        self.merged: set[tuple[int, str]] = set()
        """(bucket, address) columns that already hold what the database had stored."""
        self.pruned_stats: dict[tuple[int, str], Stats] = {}
        """Stored statistics of columns whose raw chunk was pruned (late samples add to them)."""

    def put(
        self, ts: float, values: Mapping[str, float | int | None], keep: Container[str]
    ) -> None:
        """Store the values of `keep`ed addresses in the one-second slot of `ts`."""
        second = math.floor(ts)
        bucket = second - second % CHUNK_S
        slot = second - bucket
        chunk = self.chunks.get(bucket)
        if chunk is None:
            chunk = self.chunks[bucket] = {}
        for address, value in values.items():
            # None, NaN, infinities and non-numbers (a misconfigured channel) are gaps: they
            # never erase a value, so a slot reads the same with or without a commit between.
            if address not in keep or not isinstance(value, _NUMBERS):
                continue
            try:
                number = float(value)
            except OverflowError:  # an int beyond float range
                continue
            if not isfinite(number):
                continue
            column = chunk.get(address)
            if column is None:
                column = chunk[address] = [_NAN] * CHUNK_S
            column[slot] = number
        if self.first_ts is None:
            self.first_ts = ts

    def keep_newest(self, count: int) -> None:
        """Drop all but the newest `count` chunks (the disk is failing; memory is bounded)."""
        for bucket in sorted(self.chunks)[:-count]:
            for address in self.chunks.pop(bucket):
                self.merged.discard((bucket, address))
                self.pruned_stats.pop((bucket, address), None)

    def committed(self) -> None:
        """Forget committed chunks except the newest, which later cycles keep filling."""
        if self.chunks:
            newest = max(self.chunks)
            self.chunks = {newest: self.chunks[newest]}
            self.merged = {(newest, address) for address in self.chunks[newest]}
            self.pruned_stats = {k: v for k, v in self.pruned_stats.items() if k[0] == newest}
        self.first_ts = None
