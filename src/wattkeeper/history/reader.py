"""Reads raw chunks and 5-minute statistics of one channel back from SQLite."""

import sqlite3
from typing import Final

from wattkeeper.history.codec import CHUNK_S, Sample, decode
from wattkeeper.history.daypack import DAY_S, unpack_day
from wattkeeper.history.stats import Stats

_CHUNKS: Final = """
SELECT bucket, data FROM raw_chunk
WHERE channel_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket
"""
_AGGREGATES: Final = """
SELECT bucket, count, total, minimum, maximum, first, last FROM aggregate_5m
WHERE channel_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket
"""
_LAST_BEFORE: Final = """
SELECT bucket, count, total, minimum, maximum, first, last FROM aggregate_5m
WHERE channel_id = ? AND bucket <= ? ORDER BY bucket DESC LIMIT 1
"""
_FIRST_FROM: Final = """
SELECT bucket, count, total, minimum, maximum, first, last FROM aggregate_5m
WHERE channel_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket LIMIT 1
"""
_PACKED_RANGE: Final = """
SELECT day, data FROM aggregate_day
WHERE channel_id = ? AND day > ? AND day < ? ORDER BY day
"""
_PACKED_DOWN: Final = """
SELECT day, data FROM aggregate_day WHERE channel_id = ? AND day <= ? ORDER BY day DESC
"""


def _last_present(chunk: list[Sample]) -> int:
    return max((slot for slot, value in enumerate(chunk) if value is not None), default=CHUNK_S - 1)


class ChannelReader:
    """Read access to the stored history of one channel."""

    def __init__(self, conn: sqlite3.Connection, channel_id: int) -> None:
        self._conn = conn
        self._id = channel_id

    def raw_start(self) -> int | None:
        """Start of the oldest raw chunk still stored, or None."""
        row = self._conn.execute(
            "SELECT min(bucket) FROM raw_chunk WHERE channel_id = ?", (self._id,)
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def raw_series(self, start: int, stop: int) -> list[Sample]:
        """One sample (or None) per second in [start, stop)."""
        first_bucket = start - start % CHUNK_S
        series: list[Sample] = []
        cursor = first_bucket
        for bucket, blob in self._conn.execute(_CHUNKS, (self._id, first_bucket, stop)):
            series.extend([None] * (bucket - cursor))
            series.extend(decode(blob))
            cursor = bucket + CHUNK_S
        series.extend([None] * (stop - cursor))
        # In place: a day at 1 s is 86 400 items per channel, not worth a copy.
        del series[stop - first_bucket :]
        del series[: start - first_bucket]
        return series

    def aggregates(self, start: float, stop: float) -> list[tuple[int, Stats]]:
        """Statistics of the buckets starting in [start, stop), oldest first."""
        found: dict[int, Stats] = {}
        for day, blob in self._conn.execute(_PACKED_RANGE, (self._id, start - DAY_S, stop)):
            for bucket, stats in unpack_day(day, blob).items():
                if start <= bucket < stop:
                    found[bucket] = stats
        # A row wins over a packed entry: late samples may have revised a packed bucket.
        for bucket, *rest in self._conn.execute(_AGGREGATES, (self._id, start, stop)):
            found[bucket] = Stats(*rest)
        return sorted(found.items())

    def bucket_stats(self, bucket: int) -> Stats | None:
        """The stored statistics of one bucket, wherever they are kept."""
        found = self.aggregates(bucket, bucket + 1)
        return found[0][1] if found else None

    def _stats_at_or_before(self, limit: int) -> tuple[int, Stats] | None:
        """The newest bucket starting at or before `limit`, from rows or packed days."""
        row = self._conn.execute(_LAST_BEFORE, (self._id, limit)).fetchone()
        best = None if row is None else (row[0], Stats(*row[1:]))
        for day, blob in self._conn.execute(_PACKED_DOWN, (self._id, limit)):
            if best is not None and day + DAY_S <= best[0]:
                break  # older days cannot hold a newer bucket
            older = [item for item in unpack_day(day, blob).items() if item[0] <= limit]
            if older:
                if best is None or older[-1][0] > best[0]:
                    best = older[-1]
                break
        return best

    def _stats_from(self, limit: int, stop: int) -> tuple[int, Stats] | None:
        """The oldest bucket starting in [limit, stop), from rows or packed days."""
        row = self._conn.execute(_FIRST_FROM, (self._id, limit, stop)).fetchone()
        best = None if row is None else (row[0], Stats(*row[1:]))
        for day, blob in self._conn.execute(_PACKED_RANGE, (self._id, limit - DAY_S, stop)):
            if best is not None and day >= best[0]:
                break  # newer days cannot hold an older bucket
            newer = [item for item in unpack_day(day, blob).items() if limit <= item[0] < stop]
            if newer:
                if best is None or newer[0][0] < best[0]:
                    best = newer[0]
                break
        return best

    def last_before(self, second: int) -> tuple[float, int] | None:
        """Last value at or before `second`, and (at most) when it was recorded."""
        bucket = second - second % CHUNK_S
        chunk = self._chunk(bucket)
        if chunk is not None:
            for slot in range(second - bucket, -1, -1):
                value = chunk[slot]
                if value is not None:
                    return value, bucket + slot
        # Without raw samples only buckets that end by `second` can answer exactly.
        whole = chunk is None and second - bucket == CHUNK_S - 1
        limit = bucket if whole else bucket - CHUNK_S
        found = self._stats_at_or_before(limit)
        if found is None:
            return None
        # When it was recorded decides whether a range saw the counter at all: be exact if
        # the raw chunk is still there, else assume the end of the bucket.
        older = self._chunk(found[0])
        last_slot = CHUNK_S - 1 if older is None else _last_present(older)
        return found[1].last, found[0] + last_slot

    def first_from(self, second: int, stop: int) -> float | None:
        """First value recorded in [second, stop)."""
        bucket = second - second % CHUNK_S
        chunk = self._chunk(bucket)
        if chunk is not None:
            for slot in range(second - bucket, min(CHUNK_S, stop - bucket)):
                value = chunk[slot]
                if value is not None:
                    return value
        limit = bucket if chunk is None and second == bucket else bucket + CHUNK_S
        found = self._stats_from(limit, stop)
        return None if found is None else found[1].first

    def _chunk(self, bucket: int) -> list[Sample] | None:
        row = self._conn.execute(
            "SELECT data FROM raw_chunk WHERE channel_id = ? AND bucket = ?", (self._id, bucket)
        ).fetchone()
        return None if row is None else decode(row[0])
