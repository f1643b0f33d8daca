"""Commits buffered chunks: raw blobs and their 5-minute statistics in one transaction."""

import sqlite3
from collections.abc import Mapping
from typing import Final

from wattkeeper.history.buffer import Column, CycleBuffer
from wattkeeper.history.codec import decode, encode
from wattkeeper.history.reader import ChannelReader
from wattkeeper.history.stats import Stats, combine, of_samples

_UPSERT_RAW: Final = """
INSERT INTO raw_chunk (channel_id, bucket, data) VALUES (?, ?, ?)
ON CONFLICT (channel_id, bucket) DO UPDATE SET data = excluded.data
"""
_UPSERT_AGGREGATE: Final = """
INSERT OR REPLACE INTO aggregate_5m
    (channel_id, bucket, count, total, minimum, maximum, first, last)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""
_STORED: Final = "SELECT data FROM raw_chunk WHERE channel_id = ? AND bucket = ?"


def _merge_stored(
    conn: sqlite3.Connection, channel_id: int, bucket: int, column: Column
) -> Stats | None:
    """Fill gaps of a column from the row already stored (after a restart, or late samples).

    Returns the stored statistics of a bucket whose raw chunk was pruned: late samples for
    it must add to them, not replace them.
    """
    row = conn.execute(_STORED, (channel_id, bucket)).fetchone()
    if row is None:
        return ChannelReader(conn, channel_id).bucket_stats(bucket)
    for slot, old_value in enumerate(decode(row[0])):
        if old_value is not None and column[slot] != column[slot]:
            column[slot] = float(old_value)
    return None


def commit_buffer(conn: sqlite3.Connection, buffer: CycleBuffer, ids: Mapping[str, int]) -> None:
    """Write every buffered chunk (whole, so the statistics always match the raw blob)."""
    raw_rows: list[tuple[int, int, bytes]] = []
    aggregate_rows: list[tuple[int, int, int, float, float, float, float, float]] = []
    for bucket, chunk in buffer.chunks.items():
        for address, column in chunk.items():
            channel_id = ids[address]
            key = (bucket, address)
            if key not in buffer.merged:
                prior = _merge_stored(conn, channel_id, bucket, column)
                if prior is not None:
                    buffer.pruned_stats[key] = prior
            stats = of_samples(column)
            prior = buffer.pruned_stats.get(key)
            if prior is not None:
                stats = combine([prior] if stats is None else [prior, stats])
            if stats is None:
                continue
            raw_rows.append((channel_id, bucket, encode(column)))
            aggregate_rows.append((channel_id, bucket, *stats))
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(_UPSERT_RAW, raw_rows)
        conn.executemany(_UPSERT_AGGREGATE, aggregate_rows)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    buffer.committed()
