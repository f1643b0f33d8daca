"""The uplink's disk buffer: what the backend has not confirmed yet, bounded, in SQLite.

When it is full, the oldest raw values go first; 5-minute aggregates are kept longest (they
are what history charts need for the years after)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

RAW = "timestampedData"
AGGREGATED = "aggregatedData"


class Outbox:
    """Rows of (id, kind, payload JSON); ids give the order they were made in."""

    def __init__(self, path: Path | str, max_rows: int = 20_000) -> None:
        self.max_rows = max_rows
        self._lock = threading.Lock()  # filled from a worker thread, read from the loop
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "kind TEXT NOT NULL, "
            "payload TEXT NOT NULL)"
        )
        self.dropped = 0
        (self._size,) = self._db.execute("SELECT count(*) FROM outbox").fetchone()

    def add(self, rows: list[tuple[str, str]]) -> None:
        """Append (kind, payload) rows; over the bound, drop the oldest raw rows first."""
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO outbox (kind, payload) VALUES (?, ?)", rows)
            (count,) = self._db.execute("SELECT count(*) FROM outbox").fetchone()
            excess = count - self.max_rows
            gone_total = 0
            for kind in (RAW, AGGREGATED):
                if excess <= 0:
                    break
                gone = self._db.execute(
                    "DELETE FROM outbox WHERE id IN "
                    "(SELECT id FROM outbox WHERE kind = ? ORDER BY id LIMIT ?)",
                    (kind, excess),
                ).rowcount
                excess -= gone
                gone_total += gone
            self.dropped += gone_total
            self._size = count - gone_total
            self._db.execute("COMMIT")

    def after(self, last_id: int, limit: int = 100) -> list[tuple[int, str, str]]:
        with self._lock:
            return self._db.execute(
                "SELECT id, kind, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
                (last_id, limit),
            ).fetchall()

    def last_id(self) -> int:
        with self._lock:
            (found,) = self._db.execute("SELECT max(id) FROM outbox").fetchone()
            return int(found or 0)

    def remove(self, ids: list[int]) -> None:
        if not ids:
            return
        with self._lock:
            before = self._db.total_changes
            self._db.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in ids])
            self._size -= self._db.total_changes - before

    def __len__(self) -> int:
        """Kept in memory: the cycle reads it without touching the disk."""
        return int(self._size)

    def kinds(self) -> dict[str, int]:
        with self._lock:
            return dict(self._db.execute("SELECT kind, count(*) FROM outbox GROUP BY kind"))

    def close(self) -> None:
        with self._lock:
            self._db.close()
