"""The backend's PostgreSQL: edges, users and roles, time series in, history queries out."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import math
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from wattkeeper.backend.schema import AGGREGATES, RAW, SCHEMA, create_partition_sql
from wattkeeper.history import Resolution
from wattkeeper.history.slots import slot_edges
from wattkeeper.history.timefmt import iso_timestamps
from wattkeeper.history.zones import resolve_zone

RAW_WINDOW_S = 7 * 86_400  # raw values answer queries this far back; older: the aggregates
MAX_POINTS = 10_000
ROLES = ("guest", "owner", "installer", "admin")
TOKENS_PER_USER = 20  # signed-in browsers per user; the oldest token goes first
TOKEN_LIFETIME_S = 30 * 86_400
Row = tuple[str, float, float | None]  # channel, epoch seconds, value


def apikey_digest(apikey: str) -> bytes:
    """Keys are stored as SHA-256: a leaked table does not let anyone pose as an edge."""
    return hashlib.sha256(apikey.encode()).digest()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    n = int(os.environ.get("WATTKEEPER_SCRYPT_N", "16384"))
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1)
    return f"scrypt${n}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, salt, digest = stored.split("$")
        mine = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=8, p=1)
    except ValueError:
        return False
    return hmac.compare_digest(mine.hex(), digest)


class FleetStore:
    """Two asyncpg pools per node: the edges' data (`insert`) has its own, so that a user's
    request (roles, edges, tokens, history) never queues behind a thousand edges' inserts when
    PostgreSQL is busy. Every method is one or two statements."""

    def __init__(self, pool: asyncpg.Pool, ingest: asyncpg.Pool | None = None) -> None:
        self.pool = pool
        self.ingest = pool if ingest is None else ingest
        self._partitions: set[str] = set()

    @classmethod
    async def open(cls, url: str, size: int = 10) -> FleetStore:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=size)
        ingest = await asyncpg.create_pool(url, min_size=1, max_size=size)
        store = cls(pool, ingest)
        # several nodes may start at once: one creates the tables, the others wait
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(1515)")
            await conn.execute(SCHEMA)
        return store

    async def close(self) -> None:
        if self.ingest is not self.pool:
            await self.ingest.close()
        await self.pool.close()

    # -- metadata ----------------------------------------------------------------------------
    async def add_edge(self, edge_id: str, apikey: str, comment: str = "") -> None:
        await self.pool.execute(
            "INSERT INTO fleet_edge (id, apikey_sha256, comment) VALUES ($1, $2, $3) "
            "ON CONFLICT (id) DO UPDATE SET apikey_sha256 = $2, comment = $3",
            edge_id,
            apikey_digest(apikey),
            comment,
        )

    async def edge_for_key(self, apikey: str) -> str | None:
        found: str | None = await self.pool.fetchval(
            "SELECT id FROM fleet_edge WHERE apikey_sha256 = $1", apikey_digest(apikey)
        )
        return found

    async def add_user(self, name: str, password: str) -> None:
        await self.pool.execute(
            "INSERT INTO fleet_user (name, password_hash) VALUES ($1, $2) "
            "ON CONFLICT (name) DO UPDATE SET password_hash = $2",
            name,
            hash_password(password),
        )

    async def check_user(self, name: str, password: str) -> bool:
        stored = await self.pool.fetchval(
            "SELECT password_hash FROM fleet_user WHERE name = $1", name
        )
        if not isinstance(stored, str):
            return False
        # scrypt is tens of milliseconds of CPU: in a worker thread (a bounded pool), so that a
        # burst of sign-ins does not stop the node's event loop and every socket on it
        return await asyncio.to_thread(check_password, password, stored)

    async def issue_token(self, user: str) -> str:
        """A session token for the UI websocket; a user keeps their newest TOKENS_PER_USER."""
        token = secrets.token_urlsafe(32)
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO fleet_token (token_sha256, user_name, password_hash) "
                "SELECT $1, name, password_hash FROM fleet_user WHERE name = $2",
                apikey_digest(token),
                user,
            )
            await conn.execute(
                "DELETE FROM fleet_token WHERE user_name = $1 AND token_sha256 NOT IN ("
                "SELECT token_sha256 FROM fleet_token WHERE user_name = $1 "
                "ORDER BY issued DESC LIMIT $2)",
                user,
                TOKENS_PER_USER,
            )
        return token

    async def user_for_token(self, token: str) -> str | None:
        """The token's user; None when unknown, expired, or the password changed since."""
        found: str | None = await self.pool.fetchval(
            "SELECT t.user_name FROM fleet_token t JOIN fleet_user u ON u.name = t.user_name "
            "AND u.password_hash = t.password_hash WHERE t.token_sha256 = $1 "
            "AND t.issued > now() - make_interval(secs => $2)",
            apikey_digest(token),
            float(TOKEN_LIFETIME_S),
        )
        return found

    async def revoke_token(self, token: str) -> None:
        await self.pool.execute(
            "DELETE FROM fleet_token WHERE token_sha256 = $1", apikey_digest(token)
        )

    async def grant(self, user: str, edge_id: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        await self.pool.execute(
            "INSERT INTO fleet_role VALUES ($1, $2, $3) "
            "ON CONFLICT (user_name, edge_id) DO UPDATE SET role = $3",
            user,
            edge_id,
            role,
        )

    async def role(self, user: str, edge_id: str) -> str | None:
        found: str | None = await self.pool.fetchval(
            "SELECT role FROM fleet_role WHERE user_name = $1 AND edge_id = $2", user, edge_id
        )
        return found

    async def edges_of(self, user: str, search: str = "") -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            f"{_EDGES_OF} AND (e.id ILIKE $2 OR e.comment ILIKE $2) ORDER BY e.id LIMIT 1000",
            user,
            f"%{search}%",
        )
        return [_edge_row(r) for r in rows]

    async def edge_of(self, user: str, edge_id: str) -> dict[str, Any] | None:
        """One edge as `edges_of` lists it; None when the user has no role on it."""
        row = await self.pool.fetchrow(f"{_EDGES_OF} AND e.id = $2", user, edge_id)
        return None if row is None else _edge_row(row)

    async def set_online(self, edge_id: str, node_id: str) -> None:
        await self.pool.execute(
            "UPDATE fleet_edge SET last_seen = now(), online_node = $2 WHERE id = $1",
            edge_id,
            node_id,
        )

    async def set_offline(self, edge_id: str, node_id: str) -> None:
        await self.pool.execute(
            "UPDATE fleet_edge SET last_seen = now(), online_node = NULL "
            "WHERE id = $1 AND online_node = $2",
            edge_id,
            node_id,
        )

    # -- time series -------------------------------------------------------------------------
    async def _ensure_partitions(
        self, conn: asyncpg.Connection, table: str, stamps: Iterable[float]
    ) -> None:
        for ts in stamps:
            name, ddl = create_partition_sql(table, ts)
            if name not in self._partitions:
                async with conn.transaction():
                    # two nodes creating the same partition at once would collide
                    await conn.execute("SELECT pg_advisory_xact_lock(1516)")
                    await conn.execute(ddl)
                self._partitions.add(name)

    async def insert(self, table: str, edge_id: str, rows: Sequence[Row]) -> int:
        """Store rows; a row already stored (a resend) is skipped. Returns the rows given."""
        if table not in (RAW, AGGREGATES):
            raise ValueError(table)
        if not rows:
            return 0
        days = {math.floor(ts / 86_400) * 86_400 for _, ts, _ in rows}
        async with self.ingest.acquire() as conn:
            await self._ensure_partitions(conn, table, days)
            try:
                await self._insert(conn, table, edge_id, rows)
            except asyncpg.CheckViolationError:
                # another node's retention dropped a partition this node thought it had
                self._partitions.clear()
                await self._ensure_partitions(conn, table, days)
                await self._insert(conn, table, edge_id, rows)
        return len(rows)

    async def _insert(
        self, conn: asyncpg.Connection, table: str, edge_id: str, rows: Sequence[Row]
    ) -> None:
        await conn.execute(
            f"INSERT INTO {table} (edge_id, channel, ts, value) "
            "SELECT $1, c, to_timestamp(t), v FROM unnest($2::text[], $3::float8[], "
            "$4::float8[]) AS u(c, t, v) ON CONFLICT DO NOTHING",
            edge_id,
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
        )

    async def count(self, table: str, edge_id: str | None = None) -> int:
        if table not in (RAW, AGGREGATES):
            raise ValueError(table)
        if edge_id is None:
            total: int = await self.pool.fetchval(f"SELECT count(*) FROM {table}")
            return total
        found: int = await self.pool.fetchval(
            f"SELECT count(*) FROM {table} WHERE edge_id = $1", edge_id
        )
        return found

    async def stamps(self, table: str, edge_id: str, channel: str) -> list[float]:
        rows = await self.pool.fetch(
            f"SELECT extract(epoch FROM ts)::float8 AS t FROM {table} "
            "WHERE edge_id = $1 AND channel = $2 ORDER BY ts",
            edge_id,
            channel,
        )
        return [r["t"] for r in rows]

    async def drop_old_partitions(
        self, now: float, raw_days: int, aggregate_days: int
    ) -> list[str]:
        """Retention: whole partitions older than their window are dropped."""
        dropped: list[str] = []
        for table, days in ((RAW, raw_days), (AGGREGATES, aggregate_days)):
            rows = await self.pool.fetch(
                "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i "
                "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
                "WHERE p.relname = $1",
                table,
            )
            for row in rows:
                upper = row["bound"].split("TO ('")[1].split("')")[0]
                if datetime.fromisoformat(upper).timestamp() <= now - days * 86_400:
                    await self.pool.execute(f"DROP TABLE IF EXISTS {row['relname']}")
                    self._partitions.discard(row["relname"])
                    dropped.append(row["relname"])
        return dropped

    async def query_series(
        self,
        edge_id: str,
        from_ts: float,
        to_ts: float,
        channels: Sequence[str],
        resolution: Resolution,
        zone_name: Any,
        now: float,
    ) -> dict[str, Any]:
        """OpenEMS's `{timestamps, data}`: the average per slot. Slots finer than 5 minutes come
        from the raw values (none once those are dropped); coarser ones from the aggregates when
        the range reaches back beyond the raw window."""
        zone = resolve_zone(zone_name)
        edges = slot_edges(from_ts, to_ts, resolution, zone, MAX_POINTS)
        fine = isinstance(resolution, int | float) and resolution < 300
        table = RAW if fine or from_ts >= now - RAW_WINDOW_S else AGGREGATES
        rows = await self.pool.fetch(
            f"SELECT channel, width_bucket(extract(epoch FROM ts)::float8, $5::float8[]) AS slot, "
            f"avg(value) AS value FROM {table} WHERE edge_id = $1 AND channel = ANY($2) "
            "AND ts >= to_timestamp($3) AND ts < to_timestamp($4) GROUP BY 1, 2",
            edge_id,
            list(channels),
            from_ts,
            to_ts,
            edges,
        )
        slots = len(edges) - 1 if len(edges) > 1 else 1
        data: dict[str, list[float | None]] = {c: [None] * slots for c in channels}
        for row in rows:
            index = row["slot"] - 1
            if 0 <= index < slots and row["value"] is not None:
                data[row["channel"]][index] = _tidy(row["value"])
        return {"timestamps": iso_timestamps(edges[:slots], zone), "data": data}

    async def query_energy(
        self, edge_id: str, from_ts: float, to_ts: float, channels: Sequence[str]
    ) -> dict[str, Any]:
        """Counter channels: the rise over the range (newest minus oldest value), from the
        aggregates, which keep a counter's value at each 5-minute mark."""
        rows = await self.pool.fetch(
            f"SELECT channel, max(value) - min(value) AS rise FROM {AGGREGATES} "
            "WHERE edge_id = $1 AND channel = ANY($2) AND ts >= to_timestamp($3) "
            "AND ts < to_timestamp($4) GROUP BY 1",
            edge_id,
            list(channels),
            from_ts,
            to_ts,
        )
        data: dict[str, float | None] = {c: None for c in channels}
        for row in rows:
            data[row["channel"]] = _tidy(row["rise"])
        return {"data": data}

    # -- dispatches ----------------------------------------------------------------------------
    async def save_dispatch(self, record: Mapping[str, Any]) -> None:
        await self.pool.execute(
            "INSERT INTO fleet_dispatch VALUES ($1, $2, $3, $4, to_timestamp($5), $6, $7) "
            "ON CONFLICT (id) DO UPDATE SET state = $6, report = $7",
            record["id"],
            record["createdBy"],
            record["address"],
            float(record["value"]),
            record["until"],
            record["state"],
            json.dumps(record["edges"]),
        )


_EDGES_OF = (
    "SELECT e.id, e.comment, r.role, e.last_seen, e.online_node FROM fleet_role r "
    "JOIN fleet_edge e ON e.id = r.edge_id WHERE r.user_name = $1"
)


def _edge_row(r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "comment": r["comment"],
        "role": r["role"],
        "online": r["online_node"] is not None,
        "lastSeen": r["last_seen"].isoformat() if r["last_seen"] else None,
    }


def _tidy(value: float) -> float | int:
    rounded = round(value, 3)
    return int(rounded) if rounded.is_integer() else rounded
