"""Deletes history that has left its retention window, packs old aggregates, frees pages."""

import sqlite3
from collections.abc import Iterable

from wattkeeper.history.compaction import compact_channel
from wattkeeper.history.daypack import DAY_S


def delete_expired(
    conn: sqlite3.Connection,
    channel_ids: Iterable[int],
    raw_before: float,
    aggregates_before: float,
) -> None:
    """Delete raw chunks starting before `raw_before`, aggregates before `aggregates_before`.

    Aggregates of whole days before `raw_before` are packed a day per row on the way.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        for channel_id in channel_ids:
            compact_channel(conn, channel_id, raw_before)
            # Per channel, so that each DELETE walks the primary key instead of the table.
            conn.execute(
                "DELETE FROM raw_chunk WHERE channel_id = ? AND bucket < ?",
                (channel_id, raw_before),
            )
            conn.execute(
                "DELETE FROM aggregate_5m WHERE channel_id = ? AND bucket < ?",
                (channel_id, aggregates_before),
            )
            conn.execute(
                "DELETE FROM aggregate_day WHERE channel_id = ? AND day <= ?",
                (channel_id, aggregates_before - DAY_S),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    # Through execute() the pragma frees a single page; executescript runs it to the end.
    conn.executescript("PRAGMA incremental_vacuum")
