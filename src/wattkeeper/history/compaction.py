"""Moves 5-minute aggregate rows of old days into one packed row per channel and day."""

import sqlite3
from typing import Final

from wattkeeper.history.daypack import DAY_S, day_of, pack_day, unpack_day
from wattkeeper.history.stats import Stats

_OLD_ROWS: Final = """
SELECT bucket, count, total, minimum, maximum, first, last FROM aggregate_5m
WHERE channel_id = ? AND bucket < ? ORDER BY bucket
"""
_PACKED: Final = "SELECT data FROM aggregate_day WHERE channel_id = ? AND day = ?"
_UPSERT_PACKED: Final = """
INSERT INTO aggregate_day (channel_id, day, data) VALUES (?, ?, ?)
ON CONFLICT (channel_id, day) DO UPDATE SET data = excluded.data
"""


def _store_day(conn: sqlite3.Connection, channel_id: int, day: int, rows: dict[int, Stats]) -> None:
    stored = conn.execute(_PACKED, (channel_id, day)).fetchone()
    merged = {} if stored is None else unpack_day(day, stored[0])
    merged.update(rows)  # a row always holds the whole truth of its bucket (see writer)
    conn.execute(_UPSERT_PACKED, (channel_id, day, pack_day(day, merged)))


def compact_channel(conn: sqlite3.Connection, channel_id: int, before: float) -> None:
    """Pack the rows of every whole UTC day ending by `before` (inside a transaction)."""
    limit = int(before) - int(before) % DAY_S
    day, rows = -1, dict[int, Stats]()
    # Streamed day by day: the first compaction after an upgrade may meet years of rows.
    for bucket, *stats in conn.execute(_OLD_ROWS, (channel_id, limit)):
        if day_of(bucket) != day:
            if rows:
                _store_day(conn, channel_id, day, rows)
            day, rows = day_of(bucket), {}
        rows[bucket] = Stats(*stats)
    if rows:
        _store_day(conn, channel_id, day, rows)
    conn.execute(
        "DELETE FROM aggregate_5m WHERE channel_id = ? AND bucket < ?", (channel_id, limit)
    )
