"""The vendor's SQLite database of issued keys and their redemptions (one edge per key)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wattkeeper.licence_vendor.minting import generate_key
from wattkeeper.licensing.errors import AlreadyRedeemedError, UnknownKeyError
from wattkeeper.licensing.keys import LicenseKey
from wattkeeper.licensing.licence import Clock, format_time, parse_time, utc_now

# redemptions.key is the PRIMARY KEY: even if the application logic had a race, SQLite itself
# refuses to bind one key to two edges.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS issued_keys (
    key       TEXT PRIMARY KEY CHECK (length(key) = 16),
    app_id    TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS redemptions (
    key         TEXT PRIMARY KEY REFERENCES issued_keys(key),
    edge_id     TEXT NOT NULL,
    redeemed_at TEXT NOT NULL
);
"""
_BUSY_TIMEOUT_S = 30.0
_MAX_COLLISION_RETRIES = 5


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key the vendor has issued."""

    key: LicenseKey
    app_id: str
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class Redemption:
    """The binding of a key to the edge that redeemed it first."""

    key: str
    edge_id: str
    redeemed_at: datetime


class VendorDB:
    """Issued keys and redemptions in SQLite; safe for concurrent use from many threads.

    Every operation opens its own connection, so no connection is shared across threads,
    and redemption runs in a write transaction (BEGIN IMMEDIATE) so check-then-insert is atomic.
    """

    def __init__(self, path: Path | str, clock: Clock = utc_now) -> None:
        self.path = Path(path)
        self._clock = clock
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so the transaction is explicit.
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn
        finally:
            conn.close()

    def issue(self, app_id: str) -> IssuedKey:
        """Mint a new random key for ``app_id`` and record it (UnknownAppError if no app code)."""
        issued_at = self._clock().replace(microsecond=0)
        for _ in range(_MAX_COLLISION_RETRIES):
            key = generate_key(app_id)
            try:
                with self._connect() as conn:
                    conn.execute(
                        "INSERT INTO issued_keys (key, app_id, issued_at) VALUES (?, ?, ?)",
                        (key.digits, app_id, format_time(issued_at)),
                    )
            except sqlite3.IntegrityError:
                continue  # 1 in 10^12 per key: a collision; just draw again
            return IssuedKey(key, app_id, issued_at)
        raise RuntimeError("could not draw an unused licence key; is the random source broken?")

    def lookup(self, key: LicenseKey) -> IssuedKey:
        """Return the issued key record; UnknownKeyError if the vendor never issued it."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT app_id, issued_at FROM issued_keys WHERE key = ?", (key.digits,)
            ).fetchone()
        if row is None:
            raise UnknownKeyError(f"licence key {key.formatted()} was never issued by this vendor")
        return IssuedKey(key, row[0], parse_time(row[1]))

    def redemption(self, key: LicenseKey) -> Redemption | None:
        """The edge the key is bound to, if any."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT edge_id, redeemed_at FROM redemptions WHERE key = ?", (key.digits,)
            ).fetchone()
        return None if row is None else Redemption(key.digits, row[0], parse_time(row[1]))

    def redeem(self, key: LicenseKey, edge_id: str) -> Redemption:
        """Bind ``key`` to ``edge_id``.

        Idempotent for the same edge (returns the original redemption). Raises UnknownKeyError
        if the key was never issued and AlreadyRedeemedError if another edge holds it.
        """
        redeemed_at = self._clock().replace(microsecond=0)
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                redemption = self._redeem_in(conn, key, edge_id, redeemed_at)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        if redemption.edge_id != edge_id:
            raise AlreadyRedeemedError(
                f"licence key {key.formatted()} is already redeemed on another edge"
            )
        return redemption

    def _redeem_in(
        self, conn: sqlite3.Connection, key: LicenseKey, edge_id: str, redeemed_at: datetime
    ) -> Redemption:
        issued = conn.execute("SELECT 1 FROM issued_keys WHERE key = ?", (key.digits,))
        if issued.fetchone() is None:
            raise UnknownKeyError(f"licence key {key.formatted()} was never issued by this vendor")
        row = conn.execute(
            "SELECT edge_id, redeemed_at FROM redemptions WHERE key = ?", (key.digits,)
        ).fetchone()
        if row is not None:
            return Redemption(key.digits, row[0], parse_time(row[1]))
        conn.execute(
            "INSERT INTO redemptions (key, edge_id, redeemed_at) VALUES (?, ?, ?)",
            (key.digits, edge_id, format_time(redeemed_at)),
        )
        return Redemption(key.digits, edge_id, redeemed_at)

    def issued_count(self) -> int:
        """Number of keys issued so far."""
        with self._connect() as conn:
            return int(conn.execute("SELECT count(*) FROM issued_keys").fetchone()[0])
