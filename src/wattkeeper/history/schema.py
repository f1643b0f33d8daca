"""Opens the SQLite file with the history tables and the pragmas durability relies on."""

import sqlite3
from pathlib import Path
from typing import Final

SCHEMA_VERSION: Final = 1

_TABLES: Final = """
CREATE TABLE IF NOT EXISTS channel (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL
);
-- One row per channel per 5-minute chunk; `data` is a codec blob of 300 one-second slots.
CREATE TABLE IF NOT EXISTS raw_chunk (
    channel_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (channel_id, bucket)
);
-- Statistics of the same 5-minute buckets; kept far longer than the raw chunks.
CREATE TABLE IF NOT EXISTS aggregate_5m (
    channel_id INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    count INTEGER NOT NULL,
    total REAL NOT NULL,
    minimum REAL NOT NULL,
    maximum REAL NOT NULL,
    first REAL NOT NULL,
    last REAL NOT NULL,
    PRIMARY KEY (channel_id, bucket)
) WITHOUT ROWID;
-- Once older than the raw window, a UTC day of aggregate_5m rows becomes one packed row.
CREATE TABLE IF NOT EXISTS aggregate_day (
    channel_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (channel_id, day)
);
"""


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) a history database ready for batched writes."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    # Must precede the first table so that pruning can hand pages back to the file system.
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    conn.execute("PRAGMA journal_mode = WAL")
    # FULL syncs the WAL on every batch commit: a power cut then loses at most one batch.
    conn.execute("PRAGMA synchronous = FULL")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version not in (0, SCHEMA_VERSION):
        conn.close()
        raise RuntimeError(f"{path}: history schema {version}, expected {SCHEMA_VERSION}")
    conn.executescript(_TABLES)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return conn
