"""Deletes history that has left its retention window and hands the pages back."""

import sqlite3
from collections.abc import Iterable


def delete_expired(
    conn: sqlite3.Connection,
    channel_ids: Iterable[int],
    raw_before: float,
    aggregates_before: float,
) -> None:
    """Delete raw chunks starting before `raw_before`, aggregates before `aggregates_before`."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for channel_id in channel_ids:
            # Per channel, so that each DELETE walks the primary key instead of the table.
            conn.execute(
                "DELETE FROM raw_chunk WHERE channel_id = ? AND bucket < ?",
                (channel_id, raw_before),
            )
            conn.execute(
                "DELETE FROM aggregate_5m WHERE channel_id = ? AND bucket < ?",
                (channel_id, aggregates_before),
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    # Through execute() the pragma frees a single page; executescript runs it to the end.
    conn.executescript("PRAGMA incremental_vacuum")
