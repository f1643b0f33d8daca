"""The audit log: every accepted write (and every refused MQTT command), kept for a set period in
a small SQLite file.

A client that re-sends the same value to keep its lease alive writes one entry whose count and
last time grow, so a day of keep-alives is one row and older entries are never pushed out by
size. Entries whose last write is older than the retention period are deleted. A write that
cannot be recorded raises StorageError, and the caller refuses the write.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wattkeeper.config.overrides import StorageError
from wattkeeper.core.channel import Value
from wattkeeper.core.writes import WriteRequest

log = logging.getLogger(__name__)

FILE_NAME = "audit.sqlite"
RETENTION_DAYS = 90.0
PRUNE_EVERY = 3600.0  # seconds between deletions of expired entries

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (
    id INTEGER PRIMARY KEY,
    first REAL NOT NULL,
    last REAL NOT NULL,
    count INTEGER NOT NULL,
    remote TEXT NOT NULL,
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    channel TEXT NOT NULL,
    value TEXT NOT NULL,
    via TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'accepted'
);
CREATE INDEX IF NOT EXISTS entry_last ON entry (last);
"""
ACCEPTED = "accepted"


class AuditLog:
    def __init__(self, data_dir: Path, retention_days: float = RETENTION_DAYS) -> None:
        self.path = data_dir / FILE_NAME
        self.retention = retention_days * 86400.0
        self._lock = threading.Lock()
        # the last entry of each client: (remote, user) → (row id, channel, value, via, outcome)
        self._last: dict[tuple[str, str], tuple[int, str, str, str, str]] = {}
        self._pruned = 0.0
        self.fault: str | None = None
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = self._open()
        except sqlite3.Error as error:
            # a read-only or broken data directory: the edge still runs, but accepts no write
            self.fault = str(error)
            log.error("audit log %s cannot be written (%s): writes are refused", self.path, error)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode: a commit survives a crash of the process without an fsync on the
            # event loop for every write; a power cut may lose the last moments (as for history)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(_SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(entry)")}
            if "outcome" not in columns:  # a log written before refusals were recorded
                conn.execute(
                    "ALTER TABLE entry ADD COLUMN outcome TEXT NOT NULL DEFAULT 'accepted'"
                )
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def record_write(self, timestamp: float, request: WriteRequest, value: Value) -> None:
        """The write gate's audit sink: one accepted write, or StorageError."""
        self.record(
            timestamp,
            request.remote,
            request.user,
            request.role,
            request.address,
            value,
            request.source,
        )

    def record(
        self,
        timestamp: float,
        remote: str,
        user: str,
        role: str,
        address: str,
        value: Value,
        via: str,
        outcome: str = ACCEPTED,
    ) -> None:
        """Record one accepted write, or raise StorageError (the write must then be refused).

        `outcome` is "accepted", or "refused: <reason>" for a refused command.
        """
        encoded = json.dumps(value, ensure_ascii=False)
        client = (remote, user)
        with self._lock:
            conn = self._conn
            if conn is None:
                raise StorageError(self.path, OSError(self.fault or "not open"))
            try:
                last = self._last.get(client)
                if last is not None and last[1:] == (address, encoded, via, outcome):
                    conn.execute(
                        "UPDATE entry SET count = count + 1, last = ? WHERE id = ?",
                        (timestamp, last[0]),
                    )
                else:
                    cursor = conn.execute(
                        "INSERT INTO entry (first, last, count, remote, user, role, channel,"
                        " value, via, outcome) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
                        (timestamp, timestamp, remote, user, role, address, encoded, via, outcome),
                    )
                    row = int(cursor.lastrowid or 0)
                    self._last[client] = (row, address, encoded, via, outcome)
                    if len(self._last) > 10_000:
                        self._last.clear()  # only costs a new row per client
                if timestamp - self._pruned >= PRUNE_EVERY:
                    self._pruned = timestamp
                    conn.execute("DELETE FROM entry WHERE last < ?", (timestamp - self.retention,))
            except sqlite3.Error as error:
                self._last.pop(client, None)
                raise StorageError(self.path, OSError(str(error))) from None

    def record_refusal(
        self,
        timestamp: float,
        request: WriteRequest,
        reason: str,
    ) -> None:
        """Record a refused command; never raises (a refusal changes nothing that could be lost)."""
        try:
            self.record(
                timestamp,
                request.remote,
                request.user,
                request.role,
                request.address,
                request.value,
                request.source,
                f"refused: {reason}"[:500],
            )
        except StorageError as error:
            log.warning("audit log: refused command not recorded (%s)", error)

    def read(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest `limit` entries, newest first."""
        with self._lock:
            if self._conn is None:
                return []
            rows = self._conn.execute(
                "SELECT first, last, count, remote, user, role, channel, value, via, outcome"
                " FROM entry"
                " ORDER BY last DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            {
                "time": _iso(first),
                "lastTime": _iso(last),
                "count": count,
                "remote": remote,
                "user": user,
                "role": role,
                "channel": channel,
                "value": json.loads(value),
                "via": via,
                "outcome": outcome,
            }
            for first, last, count, remote, user, role, channel, value, via, outcome in rows
        ]

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")
